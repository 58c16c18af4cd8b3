using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Alerts.Client;

/// <summary>Attaches this client's access token to every call of an interface that needs one.</summary>
public sealed class AccessTokenCallFilter(IServiceProvider services) : IOutgoingGrainCallFilter
{
    // Attribute lookups per call would cost more than the lookup in this dictionary.
    private static readonly ConcurrentDictionary<MethodInfo, bool> NeedsToken = new();

    // Resolved on first call: the source needs the grain factory, which is built after the filters.
    private AccessTokenSource? _source;

    /// <summary>
    /// Signs in if needed, then sends the token in the request context; a call whose token the silo refused is made once
    /// more with a new one.
    /// </summary>
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod is not { } method || !NeedsToken.GetOrAdd(method, Needs))
        {
            await context.Invoke();
            return;
        }

        _source ??= services.GetRequiredService<AccessTokenSource>();
        var token = await _source.GetToken();
        RequestContext.Set(AccessTokenHeader.Key, token);
        string fresh;
        try
        {
            await context.Invoke();
            return;
        }
        catch (TokenRefusedException refused)
        {
            // The silo's signing key was rotated, this client's roles changed in settings, or the silo's clock is past the
            // token's expiry while ours is not: without a new sign-in every call would fail until the token's planned
            // renewal (up to 12 minutes). Refused before any grain ran, so making the call again cannot do anything twice.
            _source.Discard(token);
            try
            {
                fresh = await _source.GetToken();
            }
            catch (AccessDeniedException)
            {
                // Signing in again is refused too (the credential revoked, its secret changed): the call's own refusal says why.
                ExceptionDispatchInfo.Throw(refused);
                return;
            }
        }

        RequestContext.Set(AccessTokenHeader.Key, fresh);
        await context.Invoke();
    }

    // Sign-in itself is anonymous (asking for a token there would recurse), and Orleans' own calls (cluster manifest) happen before any sign-in.
    private static bool Needs(MethodInfo method)
    {
        var type = method.DeclaringType;
        if (type is null || type == typeof(ISignInGrain) || type.IsDefined(typeof(AllowAnonymousAttribute), false)) return false;
        return type.IsDefined(typeof(RequiresRoleAttribute), false) || method.IsDefined(typeof(RequiresRoleAttribute), false);
    }
}
