using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Logs acknowledgements of batches not handed to the acknowledging credential's gateways, as refusals are logged: the
/// first of a credential at once, its repeats within <see cref="Window"/> counted and told with its next warning, so a
/// misbehaving gateway does not flood the silo's log.
/// </summary>
public sealed class ForeignAcknowledgements(TimeProvider time, ILogger logger)
    : ThrottledWarning<string>(time, Window, MostRemembered)
{
    /// <summary>How long the repeats of a logged foreign acknowledgement (same credential) are counted instead of logged.</summary>
    public static readonly TimeSpan Window = RefusalLog.Window;

    /// <summary>Most credentials remembered at once; those beyond are counted together.</summary>
    public const int MostRemembered = 1_000;

    protected override void Log(string credential, long items, HeldBack? heldBack)
    {
        if (heldBack is { } repeats)
            logger.LogWarning("Credential {Caller} acknowledged {Count} batches not handed to a gateway of its own; they stay unacknowledged ({Repeats} more such acknowledgements of {Batches} batches since {Since:O} were not logged)", credential, items, repeats.Count, repeats.Items, repeats.Since);
        else
            logger.LogWarning("Credential {Caller} acknowledged {Count} batches not handed to a gateway of its own; they stay unacknowledged", credential, items);
    }

    protected override void LogHeldBack(string credential, HeldBack heldBack) =>
        logger.LogWarning("Credential {Caller} made {Repeats} more acknowledgements of {Batches} batches not handed to a gateway of its own since {Since:O} without their being logged; they stay unacknowledged", credential, heldBack.Count, heldBack.Items, heldBack.Since);

    protected override void LogFirstUnremembered(string credential, long items) =>
        logger.LogWarning("Credential {Caller} acknowledged {Count} batches not handed to a gateway of its own; they stay unacknowledged (more than {Most} credentials did so within {Window}: further ones are counted, not logged)", credential, items, MostRemembered, Window);

    protected override void LogUnremembered(long count) =>
        logger.LogWarning("{Count} more acknowledgements of batches not handed to the acknowledging credential's gateways were not logged: more than {Most} credentials made them within {Window}", count, MostRemembered, Window);
}
