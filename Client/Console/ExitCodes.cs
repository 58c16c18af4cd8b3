namespace Alerts.Cli;

/// <summary>The exit codes scripts can rely on (listed by <c>alerts --help</c> and in the README).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected failed; the message says what.</summary>
    public const int Failed = 1;

    /// <summary>The command line or a value in it is invalid (bad coordinates, unknown option, missing argument).</summary>
    public const int BadInput = 2;

    /// <summary>The credential was refused, or its roles do not allow the command.</summary>
    public const int AccessDenied = 3;

    /// <summary>No case or credential with that name.</summary>
    public const int NotFound = 4;

    /// <summary>The case or credential is in a state that does not allow the command (e.g. approving a cancelled case).</summary>
    public const int WrongState = 5;

    /// <summary>No silo answered at the given gateways or membership table.</summary>
    public const int Unreachable = 6;

    /// <summary><c>case watch --timeout</c> ran out before the case settled.</summary>
    public const int TimedOut = 7;

    /// <summary>Interrupted with Ctrl-C (SIGINT) before the command finished.</summary>
    public const int Interrupted = 130;

    /// <summary>The table printed by <c>alerts --help</c>.</summary>
    public const string Legend = "Exit codes: 0 ok, 1 failed, 2 bad input, 3 access denied, 4 not found, 5 wrong state, 6 cluster unreachable, 7 timed out, 130 interrupted.";
}
