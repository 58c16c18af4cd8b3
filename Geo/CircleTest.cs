namespace Alerts.Geo;

/// <summary>
/// One circle's inclusion rule applied to many points (a cell grain's residents): the centre's trigonometry is done
/// once, and points clearly outside are turned away before the dearest steps of the distance. The answers and the
/// distances are <see cref="GeoCircle.Contains"/>'s and <see cref="GreatCircle.Distance"/>'s, bit for bit.
/// </summary>
public readonly struct CircleTest
{
    // A point is turned away early only when it is farther than the radius by this relative margin: a billion times the
    // few ulps by which a computed distance can stray, so the early answer is never one the full distance would change.
    private const double Margin = 1e-9;
    private const double DegToRad = Math.PI / 180;

    private readonly double _phi;
    private readonly double _cosPhi;
    private readonly double _lon;
    private readonly double _radius;
    private readonly double _maxDPhi;
    private readonly double _maxHaversine;

    /// <summary>The test for <paramref name="circle"/>.</summary>
    public CircleTest(GeoCircle circle) : this(circle, 0)
    {
    }

    /// <summary>
    /// The test for <paramref name="circle"/> widened by <paramref name="slackMeters"/>: for points known only to within
    /// that much (rounded positions), so every one that may be inside comes back with its distance for the caller to judge.
    /// </summary>
    public CircleTest(GeoCircle circle, double slackMeters)
    {
        if (!(slackMeters >= 0)) throw new ArgumentOutOfRangeException(nameof(slackMeters), slackMeters, "slack must be zero or positive");
        _phi = circle.Center.Latitude * DegToRad;
        _cosPhi = Math.Cos(_phi);
        _lon = circle.Center.Longitude;
        _radius = circle.RadiusMeters + slackMeters;
        var beyond = _radius * (1 + Margin) / GreatCircle.EarthRadiusMeters;
        // A great-circle distance is never shorter than the latitude difference alone.
        _maxDPhi = beyond;
        // The haversine term grows with the distance: sin²(d / 2R). Past half the sphere, nothing is turned away early.
        _maxHaversine = beyond < Math.PI ? Math.Pow(Math.Sin(beyond / 2), 2) : double.PositiveInfinity;
    }

    /// <summary>True when the point is within the circle, with its distance from the centre in metres.</summary>
    public bool Contains(double latitude, double longitude, out double distanceMeters)
    {
        distanceMeters = double.NaN;
        var phi = latitude * DegToRad;
        if (Math.Abs(phi - _phi) > _maxDPhi) return false;
        var a = GreatCircle.Haversine(_phi, _cosPhi, _lon, phi, longitude);
        if (a > _maxHaversine) return false;
        distanceMeters = GreatCircle.MetersFromHaversine(a);
        return distanceMeters <= _radius;
    }

    /// <summary>The distance in metres from the centre to a point (<see cref="GreatCircle.Distance"/>'s value).</summary>
    public double DistanceTo(double latitude, double longitude) =>
        GreatCircle.MetersFromHaversine(GreatCircle.Haversine(_phi, _cosPhi, _lon, latitude * DegToRad, longitude));
}
