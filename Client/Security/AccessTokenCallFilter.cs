using System.Collections.Concurrent;
using System.Reflection;
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

    /// <summary>Signs in if needed, then sends the token in the request context.</summary>
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod is { } method && NeedsToken.GetOrAdd(method, Needs))
        {
            _source ??= services.GetRequiredService<AccessTokenSource>();
            RequestContext.Set(AccessTokenHeader.Key, await _source.GetToken());
        }

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
