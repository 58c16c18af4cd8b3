using System.Collections;
using System.Reflection;
using Alerts.Grains;

namespace Alerts.Silo;

/// <summary>
/// Refuses a setting under "Alerts" that no options class has: a misspelt key is otherwise ignored, and the silo runs on
/// the default (a misspelt Provider left a cluster silo running alone on SQLite, healthy by every check).
/// </summary>
public static class UnknownSettings
{
    /// <summary>Throws naming the first key under "Alerts" that is not a setting, with the section's settings.</summary>
    public static void Check(IConfiguration configuration)
    {
        CheckSection(configuration.GetSection(AlertsOptions.Section), typeof(AlertsOptions), "Cluster", "Security", "Engagement");
        CheckSection(configuration.GetSection(ClusterSettings.Section), typeof(ClusterSettings), "Membership");
        // Membership holds Orleans' own ClusterMembershipOptions, bound as they are: a misspelt one would leave Orleans' default.
        CheckSection(configuration.GetSection(ClusterSettings.Section + ":Membership"), typeof(Orleans.Configuration.ClusterMembershipOptions));
        CheckSection(configuration.GetSection(SecurityOptions.SectionName), typeof(SecurityOptions));
        CheckSection(configuration.GetSection(EngagementOptions.Section), typeof(EngagementOptions));
    }

    private static void CheckSection(IConfigurationSection section, Type type, params string[] sections)
    {
        foreach (var child in section.GetChildren())
        {
            if (sections.Contains(child.Key, StringComparer.OrdinalIgnoreCase)) continue;
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Concat(sections).Order();
                throw new InvalidOperationException($"{child.Path} is not a setting (misspelt?): the settings of {section.Path} are {string.Join(", ", known)}");
            }

            // A list of settings objects (Security:Clients): each entry is checked against its type.
            if (ElementType(property.PropertyType) is { } element && IsSettingsObject(element))
                foreach (var entry in child.GetChildren()) CheckSection(entry, element);
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static bool IsSettingsObject(Type type) => type.IsClass && type != typeof(string);
}
