namespace Alerts.Bench.Compare;

/// <summary>
/// A fixed case centre of the comparison (every case is 120 km): dense cities, suburbs, countryside and sea or
/// empty land, so the selection is timed from a hundred thousand recipients down to none.
/// </summary>
public sealed record CaseCentre(string Name, string Kind, double Latitude, double Longitude)
{
    /// <summary>The centre of the dense block: a case here reaches about a tenth of the population.</summary>
    public static CaseCentre Dense { get; } = new("Shenzhen", "dense block", 22.54554, 114.0683);

    /// <summary>The 20 centres, the dense block first.</summary>
    public static IReadOnlyList<CaseCentre> All { get; } =
    [
        Dense,
        new("Guangzhou", "dense city, overlaps the block", 23.11667, 113.25),
        new("Tokyo", "dense city", 35.6895, 139.69171),
        new("Delhi", "dense city", 28.65195, 77.23149),
        new("Shanghai", "dense city", 31.22222, 121.45806),
        new("Sao Paulo", "dense city", -23.5475, -46.63611),
        new("Lagos", "dense city", 6.45407, 3.39467),
        new("New York", "dense city", 40.71427, -74.00597),
        new("Paris", "dense city", 48.85341, 2.3488),
        new("Mexico City", "dense city", 19.42847, -99.12766),
        new("Reading", "suburb (London)", 51.45625, -0.97113),
        new("Sacramento", "suburb / mid city", 38.58157, -121.4944),
        new("Hamilton ON", "suburb (Toronto)", 43.25011, -79.84963),
        new("Lyon", "mid city", 45.74846, 4.84671),
        new("Ames, Iowa", "countryside", 42.03471, -93.61994),
        new("Alice Springs", "countryside", -23.69748, 133.88362),
        new("Central Mongolia", "countryside", 46.0, 105.0),
        new("Patagonia", "countryside", -45.0, -69.0),
        new("Central Pacific", "sea", 0.0, -160.0),
        new("Sahara", "empty land", 23.0, 12.0),
    ];
}
