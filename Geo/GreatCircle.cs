namespace Alerts.Geo;

/// <summary>Great-circle distances on a sphere of radius 6,371,008.8 m: point to point and point to a cell.</summary>
public static class GreatCircle
{
    /// <summary>The sphere's radius in metres (the IUGG mean Earth radius).</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Half the circumference: the largest possible distance.</summary>
    public const double HalfCircumferenceMeters = Math.PI * EarthRadiusMeters;

    private const double DegToRad = Math.PI / 180;

    /// <summary>Distance in metres between two points given in degrees (haversine).</summary>
    public static double Distance(double lat1, double lon1, double lat2, double lon2)
    {
        var phi1 = lat1 * DegToRad;
        return MetersFromHaversine(Haversine(phi1, Math.Cos(phi1), lon1, lat2 * DegToRad, lon2));
    }

    // The two halves of Distance, apart so that CircleTest can do the first one's centre trigonometry once and skip
    // the second for points already known to be outside; both give Distance's bits, as the same operations in order.
    internal static double Haversine(double phi1, double cosPhi1, double lon1, double phi2, double lon2)
    {
        var sinHalfDPhi = Math.Sin((phi2 - phi1) / 2);
        var sinHalfDLambda = Math.Sin((lon2 - lon1) * DegToRad / 2);
        return sinHalfDPhi * sinHalfDPhi + cosPhi1 * Math.Cos(phi2) * sinHalfDLambda * sinHalfDLambda;
    }

    internal static double MetersFromHaversine(double a) => 2 * EarthRadiusMeters * Math.Atan2(Math.Sqrt(a), Math.Sqrt(Math.Max(0, 1 - a)));

    /// <summary>Distance in metres from a point to the nearest point of a box (0 inside it).</summary>
    public static double MinDistanceToBox(double lat, double lon, in GeoBox box)
    {
        // Longitude offset of the point from the box, folded into [-180, 180).
        var west = WrapDegrees(box.MinLon - lon);
        var east = west + (box.MaxLon - box.MinLon);
        if (west <= 0 && east >= 0)
        {
            // The point's meridian crosses the box: the nearest point is straight north or south
            // (latitude difference is a lower bound on any great-circle distance).
            var nearestLat = Math.Clamp(lat, box.MinLat, box.MaxLat);
            return Math.Abs(lat - nearestLat) * DegToRad * EarthRadiusMeters;
        }

        // Otherwise the nearest point lies on the meridian edge closer in longitude: along every parallel
        // the distance only grows with the longitude offset, up to 180 degrees. A box that straddles the
        // point's antimeridian has its east edge past 180: that offset is measured the other way round
        // (missing that made the farthest distance from a case's centre to its own block too short, so a
        // block was taken as wholly inside the circle while its far corner was not).
        var eastOffset = east >= 180 ? 360 - east : Math.Abs(east);
        var edgeLon = Math.Abs(west) <= eastOffset ? box.MinLon : box.MaxLon;
        return DistanceToMeridianSegment(lat, lon, edgeLon, box.MinLat, box.MaxLat);
    }

    /// <summary>Distance in metres from a point to the farthest point of a box.</summary>
    public static double MaxDistanceToBox(double lat, double lon, in GeoBox box)
    {
        // The farthest point from P is the nearest point to P's antipode.
        var antiLon = lon > 0 ? lon - 180 : lon + 180;
        return HalfCircumferenceMeters - MinDistanceToBox(-lat, antiLon, box);
    }

    /// <summary>The point reached by going <paramref name="distanceMeters"/> from a start along an initial bearing (degrees clockwise from north).</summary>
    public static GeoPoint Destination(double lat, double lon, double bearingDegrees, double distanceMeters)
    {
        var phi1 = lat * DegToRad;
        var theta = bearingDegrees * DegToRad;
        var delta = distanceMeters / EarthRadiusMeters;
        var sinPhi2 = Math.Clamp(Math.Sin(phi1) * Math.Cos(delta) + Math.Cos(phi1) * Math.Sin(delta) * Math.Cos(theta), -1, 1);
        var phi2 = Math.Asin(sinPhi2);
        var lambda = Math.Atan2(Math.Sin(theta) * Math.Sin(delta) * Math.Cos(phi1), Math.Cos(delta) - Math.Sin(phi1) * sinPhi2);
        var lon2 = WrapDegrees(lon + lambda / DegToRad);
        return new GeoPoint(phi2 / DegToRad, lon2);
    }

    /// <summary>Folds a longitude difference into [-180, 180).</summary>
    public static double WrapDegrees(double degrees)
    {
        if (degrees >= -180 && degrees < 180) return degrees;
        var r = (degrees + 180) % 360;
        if (r < 0) r += 360;
        return r - 180;
    }

    private static double DistanceToMeridianSegment(double lat, double lon, double edgeLon, double minLat, double maxLat)
    {
        // Along the meridian, cos(distance) = A sin(phi) + B cos(phi): a sinusoid whose maximum is at
        // phi* = atan2(A, B). Within [-90, 90] and with the meridian less than 90 degrees away the
        // clamped phi* is the nearest point; otherwise one of the segment's ends is.
        var phiP = lat * DegToRad;
        var dLambda = (edgeLon - lon) * DegToRad;
        var cosDLambda = Math.Cos(dLambda);
        if (cosDLambda >= 0)
        {
            var footLat = Math.Atan2(Math.Sin(phiP), Math.Cos(phiP) * cosDLambda) / DegToRad;
            return Distance(lat, lon, Math.Clamp(footLat, minLat, maxLat), edgeLon);
        }

        return Math.Min(Distance(lat, lon, minLat, edgeLon), Distance(lat, lon, maxLat, edgeLon));
    }
}
