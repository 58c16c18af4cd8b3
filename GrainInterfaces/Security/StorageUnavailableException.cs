namespace Alerts.GrainInterfaces;

/// <summary>A grain call failed in the storage layer; carries only the message, because a client lacks the database driver's exception types.</summary>
[GenerateSerializer, Alias("alerts.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    /// <summary>A storage failure with the original error's message ("storage failed: ...").</summary>
    public StorageUnavailableException(string message) : base(message)
    {
    }
}
