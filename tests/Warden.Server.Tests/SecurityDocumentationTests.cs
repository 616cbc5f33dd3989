using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>docs/security.md's permission table must say exactly what the code enforces.</summary>
public sealed class SecurityDocumentationTests
{
    [Fact]
    public void The_documented_permission_table_matches_the_enforced_one()
    {
        var lines = File.ReadAllLines(RepositoryFiles.PathOf("docs", "security.md"));
        var header = lines.Single(l => l.StartsWith("| permission |", StringComparison.Ordinal));
        var columns = header.Split('|', StringSplitOptions.TrimEntries)[1..^1];
        Assert.Equal(Roles.All, columns[2..]);

        var documented = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in lines.SkipWhile(l => l != header).Skip(2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries)[1..^1];
            documented[cells[0]] = columns[2..].Where((_, i) => cells[i + 2] == "✓").ToArray();
        }

        Assert.Equal(Enum.GetNames<Permission>().Order(), documented.Keys.Order());
        foreach (var permission in Enum.GetValues<Permission>())
        {
            Assert.Equal(RolePermissions.RolesWith(permission), documented[permission.ToString()]);
        }
    }
}
