namespace Alerts.Runtime;

/// <summary>A write whose ETag no longer matches the stored one: another writer got there first.</summary>
public sealed class InconsistentStateException(string message) : Exception(message);

/// <summary>A grain call that got no response within the call timeout.</summary>
public sealed class GrainCallTimeoutException(string message) : TimeoutException(message);

/// <summary>A call that could not reach the silo or lost its connection: the grain may or may not have run it.</summary>
public sealed class GrainTransportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An exception thrown by a grain in another process, carrying the original type name and message.</summary>
public sealed class RemoteGrainException(string exceptionType, string message) : Exception(message)
{
    /// <summary>Full name of the exception type the grain threw.</summary>
    public string ExceptionType { get; } = exceptionType;
}

/// <summary>A call refused because the caller lacks a role the interface or method requires.</summary>
public sealed class GrainAuthorizationException(string message) : UnauthorizedAccessException(message);

/// <summary>A call to an observer whose object is gone (deleted, or its client disconnected).</summary>
public sealed class ObserverExpiredException(string message) : Exception(message);
