using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Storage behaviour on both engines: migrations, persistence, constraints, and the change-plus-record transaction.</summary>
public sealed class StorageTests
{
    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Migrations_apply_once_and_are_idempotent(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        var migrator = host.App.Services.GetRequiredService<Migrator>();
        var expected = Migrator.Load(host.Database.Engine).Max(m => m.Version);
        Assert.Equal(expected, await migrator.MigrateAsync());
        Assert.Equal(expected, await migrator.MigrateAsync());
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(expected, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
        using var client = host.Client();
        var info = await client.GetServerInfoAsync();
        Assert.Equal(engine, info.StorageEngine);
        Assert.Equal(expected, info.SchemaVersion);
    }

    [Fact]
    public async Task Sqlite_runs_in_wal_mode_in_the_data_folder()
    {
        await using var host = await WardenTestHost.StartAsync("sqlite");
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "warden.db")));
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Keys_and_audit_survive_a_restart_and_the_bootstrap_key_is_made_only_once(string engine)
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var postgres = engine == "postgresql" ? await PostgresServer.CreateDatabaseAsync() : null;
        var bootstrap = Access.ApiKeyService.NewSecret();
        string created;
        await using (var first = await WardenTestHost.StartOnAsync(engine, data, postgres, bootstrap))
        {
            created = await first.CreateKeyAsync(Roles.Viewer);
        }

        await using (var second = await WardenTestHost.StartOnAsync(engine, data, postgres, Access.ApiKeyService.NewSecret(), ownsData: true))
        {
            using var viewer = second.Client(created);
            Assert.Contains(Roles.Viewer, (await viewer.WhoAmIAsync()).Roles);
            using var admin = second.Client(bootstrap);
            var keys = await admin.ListKeysAsync(includeInactive: true);
            Assert.Equal(2, keys.Count);
            Assert.Single(keys, k => k.Name == "bootstrap-admin");
            var audit = await admin.VerifyAuditAsync();
            Assert.True(audit.Intact);
            Assert.Equal(2, audit.RecordsChecked);
        }
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_change_and_its_audit_record_roll_back_together(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        var audit = host.App.Services.GetRequiredService<AuditLog>();
        var before = (await audit.VerifyAsync()).RecordsChecked;
        await using (var uow = await host.Database.BeginAsync())
        {
            await uow.ExecuteAsync(
                "INSERT INTO api_keys (id, name, prefix, secret_hash, roles, created_at) VALUES ('k_tx', 'tx', 'wdn_', 'h', 'viewer', 0)");
            await audit.AppendAsync(uow, AuditActor.System, "req_tx", "keys.create", "key:k_tx");
            // No commit: disposing rolls back both.
        }

        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE id = 'k_tx'"));
        var after = await audit.VerifyAsync();
        Assert.Equal(before, after.RecordsChecked);
        Assert.True(after.Intact);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Concurrent_changes_keep_one_unbroken_chain(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var admin = host.Client();
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            admin.CreateKeyAsync(new CreateApiKeyRequest($"parallel-{i}", [Roles.Viewer]))));
        var verification = await admin.VerifyAuditAsync();
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(25, verification.RecordsChecked);
        Assert.Equal(25, verification.HeadSequence);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task The_audit_table_refuses_updates_and_deletes(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => host.ExecuteSqlAsync("UPDATE audit_log SET outcome = 'x'"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => host.ExecuteSqlAsync("DELETE FROM audit_log"));
        using var admin = host.Client();
        Assert.True((await admin.VerifyAuditAsync()).Intact);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Audit_queries_filter_by_actor_action_target_and_time_and_page(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine, fakeClock: true);
        using var admin = host.Client();
        var me = await admin.WhoAmIAsync();
        var start = host.Clock!.GetUtcNow();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(1));
            ids.Add((await admin.CreateKeyAsync(new CreateApiKeyRequest($"k{i}", [Roles.Viewer]))).Key.Id);
        }

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await admin.RevokeKeyAsync(ids[2], "test");

        var creates = await admin.ListAuditAsync(new AuditQuery { Action = "keys.create" });
        Assert.Equal(7, creates.Total);
        Assert.All(creates.Items, r => Assert.Equal("keys.create", r.Action));
        Assert.True(creates.Items.Select(r => r.Sequence).SequenceEqual(creates.Items.Select(r => r.Sequence).OrderDescending()));

        var revokes = await admin.ListAuditAsync(new AuditQuery { Target = $"key:{ids[2]}" });
        Assert.Equal(["keys.revoke", "keys.create"], revokes.Items.Select(r => r.Action));

        var byActor = await admin.ListAuditAsync(new AuditQuery { Actor = me.KeyId, PageSize = 3, Page = 2 });
        Assert.Equal(8, byActor.Total);
        Assert.Equal(3, byActor.Items.Count);
        Assert.Equal(2, byActor.PageNumber);

        var window = await admin.ListAuditAsync(new AuditQuery { Since = start.AddMinutes(2), Until = start.AddMinutes(4) });
        Assert.Equal(2, window.Total);

        var noise = await admin.ListAuditAsync(new AuditQuery { Action = "keys_" });
        Assert.Equal(0, noise.Total); // '_' is literal, not a LIKE wildcard
    }
}
