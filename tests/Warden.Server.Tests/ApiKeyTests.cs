using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Access;
using Microsoft.AspNetCore.Builder;
using Warden.Server.Platform;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>API keys: format, storage as hashes, roles, expiry, revocation at once, and the audit trail they leave.</summary>
public sealed class ApiKeyTests
{
    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task A_new_key_is_random_prefixed_shown_once_and_stored_only_as_its_hash(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var admin = host.Client();
        var created = await admin.CreateKeyAsync(new CreateApiKeyRequest("ci", [Roles.Developer, Roles.Viewer]));
        Assert.Matches("^wdn_[A-Za-z0-9_-]{43}$", created.Secret); // 43 base64url characters = 256 bits
        Assert.StartsWith(created.Key.Prefix.TrimEnd('…'), created.Secret, StringComparison.Ordinal);
        Assert.Equal([Roles.Developer, Roles.Viewer], created.Key.Roles);

        await using var connection = await host.Database.OpenAsync();
        var stored = (await connection.QueryAsync<string>("SELECT secret_hash FROM api_keys")).ToList();
        Assert.Contains(ApiKeyService.HashSecret(created.Secret), stored);
        var dump = string.Join('\n', await connection.QueryAsync<string>(
            "SELECT id || name || prefix || secret_hash || roles FROM api_keys"));
        Assert.DoesNotContain(created.Secret, dump, StringComparison.Ordinal);
        var auditDump = string.Join('\n', (await admin.ListAuditAsync()).Items.Select(r => r.Details));
        Assert.DoesNotContain(created.Secret, auditDump, StringComparison.Ordinal);

        var listed = await admin.GetKeyAsync(created.Key.Id);
        Assert.Equal(created.Key.Name, listed.Name);
        using var developer = host.Client(created.Secret);
        var me = await developer.WhoAmIAsync();
        Assert.Equal(created.Key.Id, me.KeyId);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Revocation_takes_effect_at_once_even_for_a_cached_key(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var admin = host.Client();
        var created = await admin.CreateKeyAsync(new CreateApiKeyRequest("short-lived", [Roles.Viewer]));
        using var viewer = host.Client(created.Secret);
        await viewer.WhoAmIAsync(); // now cached
        await viewer.WhoAmIAsync();
        var revoked = await admin.RevokeKeyAsync(created.Key.Id, "leaked");
        Assert.Equal(ApiKeyStatus.Revoked, revoked.Status);
        var error = await Assert.ThrowsAsync<WardenApiException>(() => viewer.WhoAmIAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("revoked", error.Detail, StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<WardenApiException>(() => admin.RevokeKeyAsync(created.Key.Id));
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.DoesNotContain(await admin.ListKeysAsync(), k => k.Id == created.Key.Id);
        Assert.Contains(await admin.ListKeysAsync(includeInactive: true), k => k.Id == created.Key.Id && k.Status == ApiKeyStatus.Revoked);
    }

    [Fact]
    public async Task An_expired_key_stops_working_when_its_time_comes()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true);
        using var admin = host.Client();
        var created = await admin.CreateKeyAsync(new CreateApiKeyRequest("temp", [Roles.Viewer], host.Clock!.GetUtcNow().AddHours(1)));
        using var viewer = host.Client(created.Secret);
        Assert.Equal(created.Key.ExpiresAt, (await viewer.WhoAmIAsync()).ExpiresAt);
        host.Clock.Advance(TimeSpan.FromMinutes(61));
        var error = await Assert.ThrowsAsync<WardenApiException>(() => viewer.WhoAmIAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("expired", error.Detail, StringComparison.Ordinal);
        Assert.Equal(ApiKeyStatus.Expired, (await admin.GetKeyAsync(created.Key.Id)).Status);
    }

    [Fact]
    public async Task Bad_key_requests_get_field_level_problems()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var admin = host.Client();
        var error = await Assert.ThrowsAsync<WardenApiException>(() =>
            admin.CreateKeyAsync(new CreateApiKeyRequest(" ", ["root"], DateTimeOffset.UtcNow.AddDays(-1))));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(["expiresAt", "name", "roles"], error.Errors.Keys.Order());
        Assert.Contains("'root'", error.Errors["roles"][0], StringComparison.Ordinal);

        await admin.CreateKeyAsync(new CreateApiKeyRequest("dup", [Roles.Viewer]));
        var conflict = await Assert.ThrowsAsync<WardenApiException>(() => admin.CreateKeyAsync(new CreateApiKeyRequest("dup", [Roles.Admin])));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        var missing = await Assert.ThrowsAsync<WardenApiException>(() => admin.RevokeKeyAsync("k_nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    [Fact]
    public async Task Every_state_change_and_every_refused_attempt_is_audited_but_anonymous_noise_is_not()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var admin = host.Client();
        var viewerKey = await host.CreateKeyAsync(Roles.Viewer);
        using var viewer = host.Client(viewerKey);
        var viewerId = (await viewer.WhoAmIAsync()).KeyId;
        await Assert.ThrowsAsync<WardenApiException>(() => viewer.CreateKeyAsync(new CreateApiKeyRequest("sneaky", [Roles.Admin])));
        await Assert.ThrowsAsync<WardenApiException>(() => viewer.RevokeKeyAsync(viewerId));
        await Assert.ThrowsAsync<WardenApiException>(() => admin.CreateKeyAsync(new CreateApiKeyRequest("", [])));
        using (var anonymous = host.Client("wdn_invalid"))
        {
            await Assert.ThrowsAsync<WardenApiException>(() => anonymous.CreateKeyAsync(new CreateApiKeyRequest("x", [Roles.Admin])));
        }

        var records = (await admin.ListAuditAsync(new AuditQuery { PageSize = 100 })).Items.Reverse().ToList();
        Assert.Equal(
            [("keys.bootstrap", "success"), ("keys.create", "success"), ("keys.create", "denied"), ("keys.revoke", "denied"), ("keys.create", "rejected")],
            records.Select(r => (r.Action, r.Outcome)));
        var denied = records[3];
        Assert.Equal(viewerId, denied.ActorKeyId);
        Assert.Equal([Roles.Viewer], denied.ActorRoles);
        Assert.Equal($"key:{viewerId}", denied.Target);
        Assert.False(string.IsNullOrEmpty(denied.RequestId));
        Assert.True((await admin.VerifyAuditAsync()).Intact);
    }

    [Fact]
    public async Task The_first_start_generates_and_prints_an_admin_key_when_none_is_configured()
    {
        var output = new CapturingBootstrapOutput();
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        await using (var host = await WardenTestHost.StartOnAsync("sqlite", data, null, bootstrapKey: "",
                         configure: b => b.Services.AddSingleton<BootstrapKeyOutput>(output), ownsData: true))
        {
            Assert.NotNull(output.LastKey);
            Assert.Matches("^wdn_", output.LastKey!);
            using var admin = host.Client(output.LastKey);
            Assert.Equal([Roles.Admin], (await admin.WhoAmIAsync()).Roles);
        }
    }

    [Fact]
    public async Task A_malformed_configured_bootstrap_key_stops_the_start_with_a_clear_message()
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WardenTestHost.StartOnAsync("sqlite", data, null, "short"));
        Assert.Contains("WARDEN_BOOTSTRAP_KEY", error.Message, StringComparison.Ordinal);
    }

    private sealed class CapturingBootstrapOutput : BootstrapKeyOutput
    {
        public override void Write(string secret) => base.Write(secret);
    }
}
