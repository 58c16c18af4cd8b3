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

    // A misspelt key must not pass unnoticed: the console would fall back to a default (a local silo, the embedded
    // operator's credential) and act on the wrong cluster or as the wrong person.
    private static readonly string[] Keys = ["clusterId", "serviceId", "gateways", "membership", "credential", "credentialFile"];

    /// <summary>Reads the file; a missing, unreadable or malformed file, or an unknown key, is a bad-input failure naming it.</summary>
    public static ConsoleConfigFile Load(string path)
    {
        if (!File.Exists(path)) throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} does not exist");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} cannot be read: {e.Message}");
        }

        try
        {
            using (var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                    foreach (var property in document.RootElement.EnumerateObject())
                        if (!Keys.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                            throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} has an unknown key \"{property.Name}\": the keys are {string.Join(", ", Keys)}");
            }

            var file = JsonSerializer.Deserialize<ConsoleConfigFile>(text, Options) ?? new ConsoleConfigFile();
            // Only a file that carries a credential itself holds a secret; one naming gateways and a credential file may be shared.
            if (file.Credential is not null) OwnerOnlyFile.Check(path, "config file");
            return file;
        }
        catch (JsonException e)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"config file {path} is not valid JSON: {e.Message}");
        }
    }
}
