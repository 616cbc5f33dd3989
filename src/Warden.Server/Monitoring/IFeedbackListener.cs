using Warden.Contracts;

namespace Warden.Server.Monitoring;

/// <summary>Told about feedback once it is durably stored (register with DI as <c>IFeedbackListener</c>; every registration
/// is called). Monitoring joins labels to predictions; experiments turn outcomes into metric observations.</summary>
public interface IFeedbackListener
{
    /// <summary>Handles a batch of newly stored (not duplicate) feedback events. Must not throw for bad values; it runs on the
    /// event log's consumer, so slow work belongs on its own queue.</summary>
    ValueTask OnFeedbackAsync(IReadOnlyList<FeedbackEvent> batch, CancellationToken cancellationToken);
}
