using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts credential create</c>: a new client credential; its secret is shown (or saved) once and stored only as a hash.</summary>
public static class CreateCredentialCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The client's name: 1-64 letters, digits, '.', '_' or '-'" };
        var roles = new Option<string[]>("--role") { Description = $"A role to grant; repeat for several ({string.Join(", ", Roles.All)})", Required = true, AllowMultipleArgumentsPerToken = true };
        var save = new Option<string?>("--save") { Description = "Write name:secret to this file (owner-only) instead of printing the secret" };
        var command = new Command("create", "Create a client credential (role operator); the secret is shown once, only its hash is kept") { name, roles, save };
        return command.Runs(connection, async context =>
        {
            var path = context.Get(save);
            // The file first: the secret is shown once, so it must have somewhere to go before it exists.
            var file = path is null ? null : CredentialFile.Create(path);
            IssuedCredential? issued = null;
            try
            {
                await using var client = await context.ConnectAsync();
                var credentialName = context.Get(name);
                issued = await ConsoleFailure.UnlessNoAnswerAsync(() => client.GetGrain<IClientCredentialsGrain>(0).Create(credentialName, [.. context.Get(roles)!]),
                    $"credential create {credentialName}", $"alerts credential list (one made without its secret shown here must be revoked and created again)");
                // Shown or saved before the client is closed: a failure closing it must not lose the only copy of the secret.
                Deliver(context, issued, file, path);
            }
            catch when (file is not null && issued is null)
            {
                file.Dispose();
                File.Delete(path!);
                throw;
            }
        });
    }

    private static void Deliver(CommandContext context, IssuedCredential issued, FileStream? file, string? path)
    {
        if (file is not null)
        {
            CredentialFile.Write(file, issued.Credential);
            context.Output.Write(new { issued.Name, issued.Roles, savedTo = Path.GetFullPath(path!) },
                $"credential {issued.Name} ({string.Join(", ", issued.Roles)}) saved to {path}; use it with --credential-file {path}");
        }
        else
        {
            context.Output.Write(new { issued.Name, issued.Roles, issued.Secret, issued.Credential },
                $"credential {issued.Name} ({string.Join(", ", issued.Roles)}): {issued.Credential}\nThe secret is shown only now; the silos keep only its hash.");
        }
    }
}
