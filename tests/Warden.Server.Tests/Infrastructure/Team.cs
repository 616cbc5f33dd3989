using Warden.Client;
using Warden.Contracts;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>A model-risk team on a test server: one key per person and role.</summary>
public sealed class Team : IDisposable
{
    private Team(WardenTestHost host, Dictionary<string, WardenClient> members)
    {
        Host = host;
        _members = members;
    }

    private readonly Dictionary<string, WardenClient> _members;

    /// <summary>The server.</summary>
    public WardenTestHost Host { get; }

    /// <summary>Dana, who builds models.</summary>
    public WardenClient Developer => _members["developer"];

    /// <summary>Victor, the independent validator.</summary>
    public WardenClient Validator => _members["validator"];

    /// <summary>Alice, first approver.</summary>
    public WardenClient Approver1 => _members["approver1"];

    /// <summary>Bob, second approver.</summary>
    public WardenClient Approver2 => _members["approver2"];

    /// <summary>Olga, who runs production.</summary>
    public WardenClient Operator => _members["operator"];

    /// <summary>The admin.</summary>
    public WardenClient Admin => _members["admin"];

    /// <summary>The secret of a member's key (for the CLI).</summary>
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Creates the team's keys.</summary>
    public static async Task<Team> CreateAsync(WardenTestHost host)
    {
        using var admin = host.Client();
        var members = new Dictionary<string, WardenClient>(StringComparer.Ordinal) { ["admin"] = host.Client() };
        var team = new Team(host, members);
        foreach (var (member, role, person) in new[]
                 {
                     ("developer", Roles.Developer, "dana@bank.example"), ("validator", Roles.Validator, "victor@bank.example"),
                     ("approver1", Roles.Approver, "alice@bank.example"), ("approver2", Roles.Approver, "bob@bank.example"),
                     ("operator", Roles.Operator, "olga@bank.example"),
                 })
        {
            var created = await admin.CreateKeyAsync(new CreateApiKeyRequest(member, [role], null, person));
            members[member] = host.Client(created.Secret);
            team.Secrets[member] = created.Secret;
        }

        team.Secrets["admin"] = host.AdminKey;
        return team;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _members.Values)
        {
            client.Dispose();
        }
    }
}
