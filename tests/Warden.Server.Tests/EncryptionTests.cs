using System.Net;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Security;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Envelope encryption at rest: sealed artifacts, tamper refusal, KEK rotation without re-encryption, and
/// crypto-shredding of a data subject.</summary>
public sealed class EncryptionTests
{
    private static string ArtifactPath(WardenTestHost host, string sha) => Path.Combine(host.DataDirectory, "artifacts", sha[..2], sha[2..4], sha);

    private static async Task<ModelVersionInfo> UploadAsync(Team team)
    {
        await team.Developer.CreateModelAsync(new CreateModelRequest("scorer", "team", 3));
        return await team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx");
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Artifacts_are_sealed_on_disk_and_read_back_intact(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        using var team = await Team.CreateAsync(host);
        var version = await UploadAsync(team);
        var onDisk = await File.ReadAllBytesAsync(ArtifactPath(host, version.ArtifactSha256));
        Assert.True(Envelope.IsSealed(onDisk));
        Assert.Equal(-1, onDisk.AsSpan().IndexOf("german_credit_logreg"u8)); // the graph name inside the model is not readable
        Assert.Equal(GermanCredit.OnnxModel, await team.Validator.DownloadArtifactAsync("scorer", 1));
        await using var connection = await host.Database.OpenAsync();
        var wrapped = await connection.QuerySingleAsync<string>("SELECT wrapped FROM data_keys WHERE id = @id", new { id = "artifact:" + version.ArtifactSha256 });
        Assert.Equal(28 + 32, Convert.FromBase64String(wrapped).Length); // nonce + tag + wrapped 256-bit key, never the key in clear
    }

    [Fact]
    public async Task A_tampered_or_moved_artifact_is_refused()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        var version = await UploadAsync(team);
        var path = ArtifactPath(host, version.ArtifactSha256);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^5] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        var refused = await Assert.ThrowsAsync<WardenApiException>(() => team.Validator.DownloadArtifactAsync("scorer", 1));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Contains("integrity", refused.Title, StringComparison.Ordinal);
        Assert.Contains("authentication failed", refused.Detail, StringComparison.Ordinal);
        await team.Developer.SubmitVersionAsync("scorer", 1, "ready");
        var run = await Assert.ThrowsAsync<WardenApiException>(() => team.Validator.RunValidationAsync("scorer", 1, GermanCredit.HoldoutCsv(), "Class", "Good"));
        Assert.Contains("integrity", run.Title, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Rotating_the_kek_rewraps_keys_and_old_data_stays_readable_across_restarts(string engine)
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var postgres = engine == "postgresql" ? await PostgresServer.CreateDatabaseAsync() : null;
        var admin = ApiKeyService();
        string sha;
        await using (var host = await WardenTestHost.StartOnAsync(engine, data, postgres, admin))
        {
            using var team = await Team.CreateAsync(host);
            sha = (await UploadAsync(team)).ArtifactSha256;
            var before = await File.ReadAllBytesAsync(ArtifactPath(host, sha));
            var rotation = await team.Admin.RotateKekAsync();
            Assert.Equal(2, rotation.KekVersion);
            Assert.True(rotation.DataKeysRewrapped >= 1);
            Assert.Equal(before, await File.ReadAllBytesAsync(ArtifactPath(host, sha))); // data not re-encrypted
            var status = await team.Admin.GetKeyStatusAsync();
            Assert.Equal(2, status.CurrentKekVersion);
            Assert.All(status.DataKeys, g => Assert.Equal(2, g.KekVersion));
            var denied = await Assert.ThrowsAsync<WardenApiException>(() => team.Operator.RotateKekAsync());
            Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        }

        await using (var restarted = await WardenTestHost.StartOnAsync(engine, data, postgres, admin, ownsData: true))
        {
            using var client = restarted.Client();
            Assert.Equal(GermanCredit.OnnxModel, await client.DownloadArtifactAsync("scorer", 1));
            var audit = await client.ListAuditAsync(new AuditQuery { Action = "keys.rotate_kek" });
            Assert.Equal("kek:v2", Assert.Single(audit.Items, r => r.Outcome == AuditOutcome.Success).Target);
            Assert.Single(audit.Items, r => r.Outcome == AuditOutcome.Denied && r.ActorName == "operator");
        }
    }

    [Theory]
    [MemberData(nameof(WardenTestHost.Engines), MemberType = typeof(WardenTestHost))]
    public async Task Erasing_a_subject_destroys_their_key_and_their_payloads_become_unreadable(string engine)
    {
        await using var host = await WardenTestHost.StartAsync(engine);
        var vault = host.App.Services.GetRequiredService<SubjectVault>();
        var payload = "{\"email\":\"jane@example.com\",\"income\":52000}"u8.ToArray();
        var sealedPayload = await vault.SealAsync("customer-42", "event-1", payload);
        Assert.Equal(payload, await vault.OpenAsync("customer-42", "event-1", sealedPayload));
        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => vault.OpenAsync("customer-42", "event-2", sealedPayload));

        using var admin = host.Client();
        var officerKey = await admin.CreateKeyAsync(new CreateApiKeyRequest("dpo", [Roles.PrivacyOfficer]));
        using var officer = host.Client(officerKey.Secret);
        var developerKey = await host.CreateKeyAsync(Roles.Developer);
        using var developer = host.Client(developerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<WardenApiException>(() => developer.EraseSubjectAsync("customer-42"))).Status);

        var erased = await officer.EraseSubjectAsync("customer-42", "GDPR art. 17 request #881");
        Assert.True(erased.KeyDestroyed);
        Assert.DoesNotContain("customer-42", erased.Subject, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KeyDestroyedException>(() => vault.OpenAsync("customer-42", "event-1", sealedPayload));
        Assert.False((await officer.EraseSubjectAsync("customer-42")).KeyDestroyed);

        var records = (await officer.ListAuditAsync(new AuditQuery { Action = "privacy.erase_subject" })).Items;
        Assert.Equal(["success", "success", "denied"], records.Select(r => r.Outcome));
        Assert.All(records, r => Assert.DoesNotContain("customer-42", r.Target + r.Details, StringComparison.Ordinal)); // refused calls too
        Assert.Contains("GDPR", records[^2].Details, StringComparison.Ordinal);
        var status = await officer.GetKeyStatusAsync();
        Assert.Contains(status.DataKeys, g => g.Purpose == "subject" && g.Destroyed == 1);
    }

    [Fact]
    public async Task A_malformed_kek_in_the_environment_stops_the_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WardenTestHost.StartOnAsync("sqlite", data, null, ApiKeyService(),
            settings: new Dictionary<string, string?> { ["Warden:KeyEncryptionKey"] = Convert.ToBase64String(new byte[16]) }));
        Assert.Contains("WARDEN_KEK must be 32 bytes", error.Message, StringComparison.Ordinal);
    }

    private static string ApiKeyService() => Warden.Server.Access.ApiKeyService.NewSecret();

    [Fact]
    public async Task Dashboard_data_protection_keys_are_sealed_under_the_kek_and_survive_a_restart()
    {
        string token;
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var bootstrap = ApiKeyService();
        await using (var host = await WardenTestHost.StartOnAsync("sqlite", data, null, bootstrap))
        {
            var protector = host.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("warden-test");
            token = protector.Protect("a dashboard session");
            Assert.Equal("a dashboard session", protector.Unprotect(token));

            var files = Directory.GetFiles(Path.Combine(data, "dataprotection-keys"), "*.xml");
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                var xml = await File.ReadAllTextAsync(file);
                Assert.Contains(KekXmlEncryptor.Element, xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            }

            // The decryptor opens what the encryptor sealed; a changed payload is refused.
            var sealedKey = System.Xml.Linq.XElement.Load(files[0]).Descendants(KekXmlEncryptor.Element).Single();
            Assert.Contains("masterKey", new KekXmlDecryptor(host.App.Services).Decrypt(sealedKey).ToString(), StringComparison.Ordinal);
            var payload = Convert.FromBase64String(sealedKey.Element("payload")!.Value);
            payload[^1] ^= 1;
            sealedKey.Element("payload")!.Value = Convert.ToBase64String(payload);
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new KekXmlDecryptor(host.App.Services).Decrypt(sealedKey));
            await host.StopAsync();
        }

        // A restart on the same data folder unwraps the key and still reads what the first run protected.
        await using var again = await WardenTestHost.StartOnAsync("sqlite", data, null, bootstrap, ownsData: true);
        var reopened = again.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("warden-test");
        Assert.Equal("a dashboard session", reopened.Unprotect(token));
    }
}
