using System.Text.Json;

namespace Alerts.Cli;

/// <summary>The optional JSON config file (<c>--config</c>): the same settings as the options, for a cluster one connects to often.</summary>
public sealed class ConsoleConfigFile
{
    public string? ClusterId { get; set; }

    public string? ServiceId { get; set; }

    public List<string>? Gateways { get; set; }

    public string? Membership { get; set; }

    public string? Credential { get; set; }

    public string? CredentialFile { get; set; }

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads the file; a missing or malformed file is a bad-input failure naming it.</summary>
    public static ConsoleConfigFile Load(string path)
    {
        if (!File.Exists(path)) throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} does not exist");
        try
        {
            return JsonSerializer.Deserialize<ConsoleConfigFile>(File.ReadAllText(path), Options) ?? new ConsoleConfigFile();
        }
        catch (JsonException e)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} is not valid JSON: {e.Message}");
        }
    }
}
