namespace Alerts.Geo.Tests;

/// <summary>Bad inputs are refused with an error that names the field and the value.</summary>
public sealed class ValidationTests
{
    public static TheoryData<double, double, string> BadCoordinates => new()
    {
        { double.NaN, 0, "latitude" },
        { double.PositiveInfinity, 0, "latitude" },
        { double.NegativeInfinity, 0, "latitude" },
        { 90.0000001, 0, "latitude" },
        { -91, 0, "latitude" },
        { 0, double.NaN, "longitude" },
        { 0, double.PositiveInfinity, "longitude" },
        { 0, 180.0000001, "longitude" },
        { 0, -181, "longitude" },
    };

    [Theory]
    [MemberData(nameof(BadCoordinates))]
    public void Bad_coordinates_name_the_field(double lat, double lon, string field)
    {
        foreach (var action in new Action[]
                 {
                     () => GeoPoint.Create(lat, lon),
                     () => Geohash.Encode(lat, lon, 5),
                     () => GeoCircle.Create(lat, lon, 1000),
                 })
        {
            var ex = Assert.Throws<GeoValidationException>(action);
            Assert.Equal(field, ex.Field);
            Assert.Contains(field, ex.Message);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(10_000_001)]
    public void Bad_radius_is_refused(double radius)
    {
        var ex = Assert.Throws<GeoValidationException>(() => GeoCircle.Create(10, 10, radius));
        Assert.Equal("radiusMeters", ex.Field);
    }

    [Fact]
    public void Radius_over_the_configured_maximum_is_refused_with_the_limit()
    {
        var ex = Assert.Throws<GeoValidationException>(() => GeoCircle.Create(10, 10, 500_001, maxRadiusMeters: 500_000));
        Assert.Contains("must be at most 500000 m (500 km)", ex.Message);
        Assert.Equal(500_000, GeoCircle.Create(10, 10, 500_000, maxRadiusMeters: 500_000).RadiusMeters);
    }

    [Fact]
    public void Extremes_are_accepted()
    {
        GeoPoint.Create(90, 180);
        GeoPoint.Create(-90, -180);
        Geohash.Encode(-90, 180, 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("wx4g0s8q3jf9a")]
    [InlineData("wa")]
    [InlineData("wi")]
    [InlineData("wl")]
    [InlineData("wo")]
    [InlineData("w-")]
    [InlineData("w é")]
    [InlineData(null)]
    public void Invalid_geohash_text_is_refused(string? text)
    {
        Assert.False(Geohash.TryParse(text, out _, out var error));
        Assert.Equal("geohash", error.Field);
        var ex = Assert.Throws<GeoValidationException>(() => Geohash.Parse(text!));
        Assert.Contains("geohash", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(-3)]
    public void Precision_outside_1_to_12_is_refused(int precision)
    {
        var ex = Assert.Throws<GeoValidationException>(() => Geohash.Encode(0, 0, precision));
        Assert.Equal("precision", ex.Field);
    }

    [Fact]
    public void Packed_and_order_key_forms_with_bits_beyond_their_precision_are_refused()
    {
        Assert.Throws<GeoValidationException>(() => Geohash.FromPacked((1L << 20) | 1));
        Assert.Throws<GeoValidationException>(() => Geohash.FromPacked(0));
        // No marker; a marker after 4, 61 or 63 bits (not a multiple of 5); the most and the least a key can be.
        Assert.Throws<GeoValidationException>(() => Geohash.FromOrderKey(0));
        Assert.Throws<GeoValidationException>(() => Geohash.FromOrderKey(1L << 59));
        Assert.Throws<GeoValidationException>(() => Geohash.FromOrderKey(1L << 2));
        Assert.Throws<GeoValidationException>(() => Geohash.FromOrderKey(1));
        Assert.Equal(Geohash.Parse("zzzzzzzzzzzz"), Geohash.FromOrderKey(-8));
        Assert.Equal(Geohash.Parse("0"), Geohash.FromOrderKey(1L << 58));
    }
}
