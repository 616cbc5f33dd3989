using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Monitoring;

namespace Warden.Server.Tests;

/// <summary>The label-join index on its own: request and entity lookups, shadows, the capacity (oldest evicted first,
/// growing up to it) and the label horizon.</summary>
public sealed class LabelJoinTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static PendingPrediction P(int version, int minute, double score, string? entity = null) =>
        new("m", version, 0, T0.AddMinutes(minute), score, entity, [score], null);

    private static FeedbackEvent ByRequest(string request) => new("f", T0.AddDays(1), null, request, null, 1, null);

    private static FeedbackEvent ByEntity(string entity, int minute) => new("f", T0.AddMinutes(minute), null, null, entity, 1, null);

    private static LabelJoin Join(int capacity) => new(Options.Create(new MonitoringOptions { JoinCapacity = capacity, LabelHorizon = TimeSpan.FromHours(1) }));

    [Fact]
    public void Request_ids_find_the_prediction_and_its_shadows_entities_find_the_latest_before_the_feedback()
    {
        var join = Join(100);
        join.Add("r1", P(1, 0, 0.1, "alice"));
        join.Add("r1", P(2, 0, 0.2, "alice")); // the shadow version, same request
        join.Add("r2", P(1, 10, 0.3, "alice"));
        join.Add("r3", P(1, 20, 0.4, "bob"));

        Assert.Equal([0.1, 0.2], join.Find(ByRequest("r1")).Select(p => p.Score).Order());
        Assert.Equal([0.3], join.Find(ByEntity("alice", 15)).Select(p => p.Score));
        Assert.Equal([0.1, 0.2], join.Find(ByEntity("alice", 5)).Select(p => p.Score).Order());
        Assert.Empty(join.Find(ByEntity("alice", -1)));
        Assert.Empty(join.Find(ByRequest("nope")));
        Assert.Equal(2, join.Unmatched);
        Assert.Equal(4, join.Count);
    }

    [Fact]
    public void Warden_request_ids_and_callers_own_ids_join_alike_and_never_collide()
    {
        var join = Join(100);
        var id = Warden.Server.Platform.RequestIdMiddleware.NewId(); // "req_" + 32 lowercase hex digits: held as a number
        var upper = "req_" + id[4..].ToUpperInvariant(); // a caller's own id that differs only in case: a string key
        join.Add(id, P(1, 0, 0.1));
        join.Add(upper, P(1, 0, 0.2));
        join.Add("order-42", P(1, 0, 0.3));
        join.Add(id, 1, "m", 1, 0, T0, 0.4, null, [0.4], null); // record 1 of a request of several
        join.Add("order-43", 0, "m", 1, 0, T0, 0.5, null, [0.5], null);

        Assert.Equal([0.1], join.Find(ByRequest(id)).Select(p => p.Score));
        Assert.Equal([0.2], join.Find(ByRequest(upper)).Select(p => p.Score));
        Assert.Equal([0.3], join.Find(ByRequest("order-42")).Select(p => p.Score));
        Assert.Equal([0.4], join.Find(ByRequest(id + "/1")).Select(p => p.Score));
        Assert.Equal([0.5], join.Find(ByRequest("order-43/0")).Select(p => p.Score));
        Assert.Empty(join.Find(ByRequest(id + "/0")));
        Assert.Empty(join.Find(ByRequest("req_" + new string('0', 32))));
        Assert.Empty(join.Find(ByRequest(id[..^1] + "g"))); // not hex: a different (string) id
    }

    [Fact]
    public void The_oldest_predictions_make_room_and_the_index_grows_up_to_its_capacity()
    {
        var join = Join(2_000);
        for (var i = 0; i < 5_000; i++)
        {
            join.Add($"r{i}", P(1, i, i, $"e{i % 7}"));
        }

        Assert.Equal(2_000, join.Count);
        Assert.Empty(join.Find(ByRequest("r2999")));
        Assert.Equal([3_000.0], join.Find(ByRequest("r3000")).Select(p => p.Score));
        Assert.Equal([4_999.0], join.Find(ByRequest("r4999")).Select(p => p.Score));

        // Entity chains survive eviction: e3 is every 7th prediction; its newest at or before minute 4,000.
        var expected = Enumerable.Range(3_000, 1_001).Where(i => i % 7 == 3).Max();
        Assert.Equal([(double)expected], join.Find(ByEntity("e3", 4_000)).Select(p => p.Score));
        Assert.Empty(join.Find(ByEntity("e3", 2_000))); // only evicted predictions were that old
    }

    [Fact]
    public void Predictions_past_the_label_horizon_expire()
    {
        var join = Join(100);
        join.Add("old", P(1, 0, 0.1, "e"));
        join.Add("new", P(1, 90, 0.2, "e"));
        join.Expire(T0.AddMinutes(100)); // horizon one hour: minute 0 is out, minute 90 stays
        Assert.Equal(1, join.Count);
        Assert.Empty(join.Find(ByRequest("old")));
        Assert.Single(join.Find(ByRequest("new")));
        Assert.Equal([0.2], join.Find(ByEntity("e", 200)).Select(p => p.Score));
    }

    [Fact]
    public void Records_of_a_request_join_by_position_and_wider_models_keep_every_value()
    {
        var join = Join(4);
        join.Add("batch", 0, "narrow", 1, 0, T0, 0.1, null, [1.0, 2.0], null);
        join.Add("batch", 1, "narrow", 1, 0, T0, 0.2, null, [3.0, double.NaN], [null, "x"]);
        join.Add("a/7", -1, "narrow", 1, 0, T0, 0.3, null, [5.0, 6.0], null); // a request id that itself ends in "/7"
        join.Add("wide", -1, "wide", 1, 0, T0, 0.4, null, [7.0, 8.0, 9.0, 10.0], null); // widens every slot

        var second = Assert.Single(join.Find(ByRequest("batch/1")));
        Assert.Equal((0.2, "x"), (second.Score, second.Texts![1]));
        Assert.Equal([3.0, double.NaN], second.Numbers);
        Assert.Equal([1.0, 2.0], Assert.Single(join.Find(ByRequest("batch/0"))).Numbers);
        Assert.Empty(join.Find(ByRequest("batch"))); // a request of several records is joined per record
        Assert.Equal([5.0, 6.0], Assert.Single(join.Find(ByRequest("a/7"))).Numbers);
        Assert.Equal([7.0, 8.0, 9.0, 10.0], Assert.Single(join.Find(ByRequest("wide"))).Numbers);

        // At the capacity the oldest record goes; its sibling stays.
        join.Add("next", -1, "narrow", 1, 0, T0, 0.5, null, [11.0, 12.0], null);
        Assert.Empty(join.Find(ByRequest("batch/0")));
        Assert.Equal(0.2, Assert.Single(join.Find(ByRequest("batch/1"))).Score);
    }
}
