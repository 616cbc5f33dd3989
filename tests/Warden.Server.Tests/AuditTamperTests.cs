using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Someone with direct database access edits the audit log; verification names the first broken record.</summary>
public sealed class AuditTamperTests
{
    private static string DropGuards(string engine) => engine == "sqlite"
        ? "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
        : "DROP TRIGGER audit_log_no_change ON audit_log;";

    private static async Task<WardenTestHost> HostWithHistoryAsync(string engine)
    {
        var host = await WardenTestHost.StartAsync(engine);
        using var admin = host.Client();
        for (var i = 0; i < 5; i++)
        {
            await admin.CreateKeyAsync(new CreateApiKeyRequest($"key-{i}", [Roles.Viewer]));
        }

        Assert.True((await admin.VerifyAuditAsync()).Intact);
        await host.ExecuteSqlAsync(DropGuards(engine));
        return host;
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task An_edited_row_is_caught(string engine)
    {
        await using var host = await HostWithHistoryAsync(engine);
        Assert.Equal(1, await host.ExecuteSqlAsync("UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 3"));
        using var admin = host.Client();
        var result = await admin.VerifyAuditAsync();
        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(2, result.HeadSequence);
        Assert.Contains("hash does not match", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Edited_details_are_caught(string engine)
    {
        await using var host = await HostWithHistoryAsync(engine);
        await host.ExecuteSqlAsync("UPDATE audit_log SET details = '{\"name\":\"forged\"}' WHERE seq = 4");
        using var admin = host.Client();
        var result = await admin.VerifyAuditAsync();
        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenSequence);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_deleted_row_is_caught(string engine)
    {
        await using var host = await HostWithHistoryAsync(engine);
        await host.ExecuteSqlAsync("DELETE FROM audit_log WHERE seq = 2");
        using var admin = host.Client();
        var result = await admin.VerifyAuditAsync();
        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("record 2 is missing", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Appends_after_tampering_do_not_repair_the_chain(string engine)
    {
        await using var host = await HostWithHistoryAsync(engine);
        await host.ExecuteSqlAsync("UPDATE audit_log SET target = 'key:nobody' WHERE seq = 2");
        using var admin = host.Client();
        await admin.CreateKeyAsync(new CreateApiKeyRequest("after", [Roles.Viewer]));
        var result = await admin.VerifyAuditAsync();
        Assert.False(result.Intact);
        Assert.Equal(2, result.FirstBrokenSequence);
    }
}
