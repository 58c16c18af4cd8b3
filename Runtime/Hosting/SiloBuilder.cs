using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Runtime;

/// <summary>What <c>UseAlertsSilo</c> lets the host configure: which grain classes the silo runs.</summary>
public sealed class SiloBuilder(GrainTypeRegistry registry, IServiceCollection services)
{
    /// <summary>The host's services, for grains' own dependencies.</summary>
    public IServiceCollection Services { get; } = services;

    /// <summary>Registers every grain class in the assembly.</summary>
    public SiloBuilder AddGrains(Assembly assembly)
    {
        registry.AddAssembly(assembly);
        return this;
    }
}
