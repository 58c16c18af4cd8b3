using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>Parses a widening ring as the console takes it: <c>AFTER:KM</c>, the time in s, m, h or d (<c>90m:200</c>).</summary>
public static class RingOption
{
    /// <summary>The ring, or a bad-input failure naming the option and the reason.</summary>
    public static WideningRing Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || parts[0].Length < 2)
            throw new ConsoleFailure(ExitCodes.BadInput, $"--ring \"{text}\" is invalid: use AFTER:KM, e.g. 1h:200");
        var unit = parts[0][^1];
        if (!NumberOption.TryParse(parts[0][..^1], out var amount) || amount <= 0 || !double.IsFinite(amount))
            throw new ConsoleFailure(ExitCodes.BadInput, $"--ring \"{text}\": \"{parts[0]}\" is not a positive time such as 90m or 2h");
        var seconds = amount * unit switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => throw new ConsoleFailure(ExitCodes.BadInput, $"--ring \"{text}\": time unit '{unit}' is unknown; use s, m, h or d"),
        };
        if (seconds >= TimeSpan.MaxValue.TotalSeconds) throw new ConsoleFailure(ExitCodes.BadInput, $"--ring \"{text}\": \"{parts[0]}\" is too long");
        var after = TimeSpan.FromSeconds(seconds);
        if (!NumberOption.TryParse(parts[1], out var km) || !double.IsFinite(km))
            throw new ConsoleFailure(ExitCodes.BadInput, $"--ring \"{text}\": \"{parts[1]}\" is not a radius in km");
        return new WideningRing(after, km * 1000);
    }
}
