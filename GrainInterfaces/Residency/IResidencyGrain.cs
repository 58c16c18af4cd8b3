using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>The mobile gateway's entry point for locations and privacy requests (a stateless worker: call any key).</summary>
[RequiresRole(Roles.Gateway)]
public interface IResidencyGrain : IGrainWithIntegerKey
{
    /// <summary>Applies up to 10,000 updates; invalid ones are rejected one by one, the rest applied.</summary>
    Task<IngestResult> Report(List<LocationUpdate> updates);

    /// <summary>Stops (true) or resumes (false) alerts for a user; durable when the call returns.</summary>
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>Deletes every row about a user.</summary>
    Task Erase(long userId);
}
