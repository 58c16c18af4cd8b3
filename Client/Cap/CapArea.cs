using System.Xml.Linq;

namespace Alerts.Client.Cap;

/// <summary>A CAP <c>area</c>: its description and its shapes (circles as written; polygons and geocodes only counted).</summary>
public sealed record CapArea(string Description, IReadOnlyList<string> Circles, int Polygons, int Geocodes)
{
    /// <summary>Reads an <c>area</c> element.</summary>
    public static CapArea From(XElement area) => new(
        CapAlert.Optional(area, "areaDesc") ?? "",
        [.. area.Elements(CapAlert.Cap("circle")).Select(c => c.Value.Trim())],
        area.Elements(CapAlert.Cap("polygon")).Count(),
        area.Elements(CapAlert.Cap("geocode")).Count());
}
