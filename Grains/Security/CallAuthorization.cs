using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Refuses a client's call before any grain runs unless the interface's rule and the client's token allow it.</summary>
/// <remarks>
/// Where the product's tables are (not in a security-only test cluster), tokens of revoked stored credentials are refused
/// too. Refusals are logged through <see cref="RefusalLog"/>: the first of a client for a reason, its repeats counted.
/// </remarks>
public sealed class CallAuthorization(TokenIssuer tokens, RefusalLog refusals, RevokedCredentials? revoked = null) : IIncomingGrainCallFilter
{
    /// <summary>
    /// Checks client calls and passes the checked caller on to the grain (<see cref="Caller"/>); calls from grains,
    /// system targets and the silo itself pass untouched.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (CallRules.IsExternalClient(context.SourceId))
        {
            // Whatever the client put under the caller keys itself is dropped: only a checked token names a caller.
            Caller.Set(null, []);
            var (refusal, check) = await Refusal(context);
            if (refusal is not null)
            {
                refusals.Refused(context.SourceId?.ToString() ?? "?", refusal);
                // The token itself refused (not a role it lacks): a new sign-in may be taken, so the client is told which.
                throw check is { IsValid: false } ? new TokenRefusedException(refusal) : new AccessDeniedException(refusal);
            }

            if (check is { IsValid: true }) Caller.Set(check.Name, check.Roles);
            // Checked once, here: the bearer token goes no further than this silo's filter (the grain's own calls
            // would carry it to other silos in every message).
            RequestContext.Remove(AccessTokenHeader.Key);
        }

        await context.Invoke();
    }

    // The reason to refuse (null: allowed), and the checked token when the rule asked for one.
    private async ValueTask<(string? Refusal, TokenCheck? Check)> Refusal(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod is not { } method)
        {
            return ($"{context.InterfaceName}.{context.MethodName}: no access rule for this interface", null);
        }

        var rule = CallRules.For(method);
        switch (rule.Kind)
        {
            case CallRuleKind.Anonymous:
                return (null, null);
            case CallRuleKind.OrleansClientPlumbing:
                return (PlumbingRefusal(context, rule), null);
            case CallRuleKind.SiloOnly:
                return ($"{rule.Name}: only grains may call this interface", null);
            case CallRuleKind.Closed:
                return ($"{rule.Name}: no access rule for this interface", null);
        }

        var check = await tokens.Check(RequestContext.Get(AccessTokenHeader.Key) as string);
        if (!check.IsValid) return ($"{rule.Name}: {check.Failure}", check);
        if (revoked is not null && await revoked.RefusalAsync(check.Name!, check.IssuedAt, check.Credential) is { } revocation)
            return ($"{rule.Name}: {revocation}", TokenCheck.Refused(revocation));
        if (check.Roles.Any(rule.Roles.Contains)) return (OwnNameRefusal(context, rule, check.Name!), check);
        var held = check.Roles.Count == 0 ? "no role" : $"role {string.Join(", ", check.Roles)}";
        return ($"{held} may not call {rule.Name}; needs {string.Join(" or ", rule.Roles)}", check);
    }

    // A name the client passes for itself (a gateway's subscription at the push hub) must be its credential's: any
    // gateway credential could otherwise subscribe under another gateway's name and be handed its batches.
    private static string? OwnNameRefusal(IIncomingGrainCallContext context, CallRule rule, string caller)
    {
        if (rule.OwnName is not { } own) return null;
        var name = context.Request.GetArgumentCount() > own.Index ? context.Request.GetArgument(own.Index) as string : null;
        return GatewayNames.IsOwnedBy(name, caller) ? null : $"{rule.Name}: {GatewayNames.Refusal(own.Field, name, caller)}";
    }

    // A client may cancel its own calls, not somebody else's: the first argument names the sender of the call to cancel.
    private static string? PlumbingRefusal(IIncomingGrainCallContext context, CallRule rule)
    {
        if (!rule.Name.Contains("CancelRequestAsync", StringComparison.Ordinal)) return null;
        return context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is GrainId sender && sender.Equals(context.SourceId)
            ? null
            : $"{rule.Name}: a client may cancel only its own calls";
    }
}
