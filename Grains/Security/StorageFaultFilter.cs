using System.Data.Common;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>Turns database driver exceptions into <see cref="StorageUnavailableException"/> for clients, which lack the driver's types and would get a codec error instead.</summary>
public sealed class StorageFaultFilter(ILogger<StorageFaultFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly string[] SharedNamespaces = ["System", "Orleans", "Alerts"];

    /// <summary>Passes the call on; a foreign exception on its way back to a client is replaced by one the client can read.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception error) when (CallRules.IsExternalClient(context.SourceId) && Foreign(error) is { } foreign)
        {
            // Inside the cluster every silo has the driver, so grains still see the original (and may retry on it).
            logger.LogWarning(error, "Storage failure answered to {Source} as StorageUnavailableException", context.SourceId);
            throw new StorageUnavailableException($"storage failed: {foreign.Message}");
        }
    }

    /// <summary>The first exception in the chain a client could not deserialize, or null.</summary>
    private static Exception? Foreign(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is DbException || !Shared(e.GetType())) return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Foreign(inner) is { } found) return found;
                }
            }
        }

        return null;
    }

    private static bool Shared(Type type)
    {
        var ns = type.Namespace ?? "";
        return SharedNamespaces.Any(root => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal));
    }
}
