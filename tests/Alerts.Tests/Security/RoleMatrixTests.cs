using System.Reflection;
using Alerts.Grains;
using Alerts.GrainInterfaces;
using Orleans;
using Orleans.Runtime;

namespace Alerts.Tests;

/// <summary>Every real grain interface method resolves, through the filter's own <see cref="CallRules"/>, to a deliberate rule.</summary>
public sealed class RoleMatrixTests
{
    private static readonly Type[] Interfaces = typeof(Roles).Assembly.GetTypes()
        .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
        .ToArray();

    public static TheoryData<string> GrainMethods()
    {
        var data = new TheoryData<string>();
        foreach (var type in Interfaces.Where(t => !typeof(IGrainObserver).IsAssignableFrom(t)))
        {
            // Overloads (IPushHubGrain.Subscribe) are told apart by their parameter count.
            foreach (var method in type.GetMethods()) data.Add($"{type.FullName}|{method.Name}|{method.GetParameters().Length}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GrainMethods))]
    public void Every_grain_method_has_a_rule(string method)
    {
        var rule = CallRules.For(Find(method));
        Assert.True(rule.Kind is CallRuleKind.SiloOnly or CallRuleKind.Anonymous or CallRuleKind.Roles, $"{rule.Name} has no access rule ({rule.Kind})");
        Assert.All(rule.Roles, role => Assert.Contains(role, Roles.All));
    }

    [Fact]
    public void Only_sign_in_is_anonymous()
    {
        var anonymous = Interfaces.SelectMany(t => t.GetMethods()).Where(m => CallRules.For(m).Kind == CallRuleKind.Anonymous);
        Assert.All(anonymous, m => Assert.Equal(typeof(ISignInGrain), m.DeclaringType));
    }

    [Fact]
    public void Observers_are_closed_to_clients()
    {
        // Observers run on clients; a client calling one on a silo is never legitimate.
        var observers = Interfaces.Where(t => typeof(IGrainObserver).IsAssignableFrom(t)).SelectMany(t => t.GetMethods());
        Assert.All(observers, m => Assert.Equal(CallRuleKind.Closed, CallRules.For(m).Kind));
    }

    [Fact]
    public void A_method_rule_wins_over_its_interface_rule()
    {
        var stats = CallRules.For(typeof(IPushHubGrain).GetMethod(nameof(IPushHubGrain.GetStats))!);
        Assert.Equal("alerts.push-hub.GetStats", stats.Name);
        Assert.Equal([Roles.Gateway, Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin], stats.Roles);
        Assert.Equal([Roles.Gateway], CallRules.For(typeof(IPushHubGrain).GetMethod(nameof(IPushHubGrain.Acknowledge))!).Roles);
    }

    [Fact]
    public void Gateways_report_engagement_the_reading_roles_read_it_and_only_grains_record_it()
    {
        Assert.Equal([Roles.Gateway], CallRules.For(typeof(IEngagementGrain).GetMethod(nameof(IEngagementGrain.Report))!).Roles);
        Assert.All(typeof(ICaseEngagementGrain).GetMethods(), m => Assert.Equal([Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin], CallRules.For(m).Roles));
        Assert.All(typeof(IEngagementShardGrain).GetMethods(), m => Assert.Equal(CallRuleKind.SiloOnly, CallRules.For(m).Kind));
    }

    [Fact]
    public void Only_outside_clients_are_checked()
    {
        Assert.True(CallRules.IsExternalClient(GrainId.Create(GrainTypePrefix.ClientGrainType, Guid.NewGuid().ToString("N"))));
        Assert.False(CallRules.IsExternalClient(GrainId.Create(GrainTypePrefix.ClientGrainType, "hosted-127.0.0.1:11111@1")));
        Assert.False(CallRules.IsExternalClient(GrainId.Create("alerts-case", "c1")));
        Assert.False(CallRules.IsExternalClient(null));
    }

    private static MethodInfo Find(string method)
    {
        var parts = method.Split('|');
        return Interfaces.Single(t => t.FullName == parts[0]).GetMethods().Single(m => m.Name == parts[1] && m.GetParameters().Length.ToString(System.Globalization.CultureInfo.InvariantCulture) == parts[2]);
    }
}
