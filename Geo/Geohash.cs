using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Alerts.Geo;

/// <summary>
/// A geohash cell in packed form: the 5 × precision interleaved bits plus the precision. Encoding,
/// bounds and neighbours work on the integers and never allocate; strings appear only at the edges.
/// </summary>
public readonly record struct Geohash : IComparable<Geohash>
{
    /// <summary>The geohash alphabet (base32 without a, i, l, o).</summary>
    public const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>Smallest supported precision (characters).</summary>
    public const int MinPrecision = 1;

    /// <summary>Largest supported precision (characters); 60 bits fit a 64-bit word with the precision.</summary>
    public const int MaxPrecision = 12;

    private static readonly sbyte[] CharToValue = BuildDecodeTable();

    private Geohash(ulong bits, int precision)
    {
        Bits = bits;
        Precision = precision;
    }

    /// <summary>The interleaved hash bits, right-aligned (5 × <see cref="Precision"/> of them).</summary>
    public ulong Bits { get; }

    /// <summary>Number of base32 characters, 1–12.</summary>
    public int Precision { get; }

    /// <summary>One 64-bit integer for the cell, unique across precisions: bits shifted left by 4, precision in the low 4 bits.</summary>
    public long Packed => (long)((Bits << 4) | (uint)Precision);

    /// <summary>
    /// One 64-bit integer for the cell whose order puts every finer cell inside it in one range around it: the bits from
    /// the top (left-aligned), then a single 1 bit, then zeros (as S2 numbers its cells). A block's stored cells, at any
    /// precision, are then one range of an index (<see cref="OrderKeyRange"/>), and no coarser cell falls in that range;
    /// signed order agrees because a range never crosses the sign bit (the cell's first bit).
    /// </summary>
    public long OrderKey => (long)((Bits << OrderShift(Precision)) | OrderMarker(Precision));

    /// <summary>The first and last <see cref="OrderKey"/> of the cell itself and every finer cell inside it.</summary>
    public (long First, long Last) OrderKeyRange
    {
        get
        {
            var shift = OrderShift(Precision);
            var top = Bits << shift;
            return ((long)(top | 1), (long)(top | ((1UL << shift) - 1)));
        }
    }

    /// <summary>Rebuilds a cell from <see cref="OrderKey"/>.</summary>
    public static Geohash FromOrderKey(long key)
    {
        // The marker is the lowest 1 bit; above it, 5 bits a character.
        var aboveMarker = 63 - BitOperations.TrailingZeroCount(key);
        if (key == 0 || aboveMarker % 5 != 0 || aboveMarker / 5 is < MinPrecision or > MaxPrecision)
            throw new GeoValidationException("geohash", key, "is not an order key: its lowest 1 bit must follow 5 to 60 bits, a multiple of 5");
        var precision = aboveMarker / 5;
        return new Geohash((ulong)key >> OrderShift(precision), precision);
    }

    // The bits of a cell start at the top of the key, the marker right below them (at least bit 3).
    private static int OrderShift(int precision) => 64 - 5 * precision;

    private static ulong OrderMarker(int precision) => 1UL << (63 - 5 * precision);

    /// <summary>Number of latitude bits at a precision (the first bit of a geohash is a longitude bit).</summary>
    public static int LatBits(int precision) => 5 * precision / 2;

    /// <summary>Number of longitude bits at a precision.</summary>
    public static int LonBits(int precision) => (5 * precision + 1) / 2;

    /// <summary>Row index of the cell (0 = southernmost).</summary>
    public long LatIndex => (long)Compact(Precision % 2 == 1 ? Bits >> 1 : Bits);

    /// <summary>Column index of the cell (0 = westernmost, from -180).</summary>
    public long LonIndex => (long)Compact(Precision % 2 == 1 ? Bits : Bits >> 1);

    /// <summary>The cell containing a point; a point on an edge belongs to the cell north/east of it.</summary>
    public static Geohash Encode(double latitude, double longitude, int precision)
    {
        GeoValidation.ValidateCoordinates(latitude, longitude);
        ValidatePrecision(precision);
        var latIndex = AxisIndex(latitude, -90, 180, LatBits(precision));
        var lonIndex = AxisIndex(longitude, -180, 360, LonBits(precision));
        return FromIndices(latIndex, lonIndex, precision);
    }

    /// <summary>The cell at a row and column of the precision's grid.</summary>
    public static Geohash FromIndices(long latIndex, long lonIndex, int precision)
    {
        var odd = precision % 2 == 1;
        var bits = (Spread((ulong)latIndex) << (odd ? 1 : 0)) | (Spread((ulong)lonIndex) << (odd ? 0 : 1));
        return new Geohash(bits, precision);
    }

    /// <summary>Rebuilds a cell from <see cref="Packed"/>.</summary>
    public static Geohash FromPacked(long packed)
    {
        var precision = (int)(packed & 0xF);
        ValidatePrecision(precision);
        var bits = (ulong)packed >> 4;
        if (bits >> (5 * precision) != 0) throw new GeoValidationException("geohash", packed, "has bits beyond its precision");
        return new Geohash(bits, precision);
    }

    /// <summary>The coarser cell at <paramref name="precision"/> that contains this one (itself at its own precision).</summary>
    public Geohash Parent(int precision)
    {
        ValidatePrecision(precision);
        if (precision > Precision) throw new GeoValidationException("precision", precision, $"must be at most the cell's own precision {Precision}");
        return new Geohash(Bits >> (5 * (Precision - precision)), precision);
    }

    /// <summary>Parses a base32 geohash of 1–12 characters (either case).</summary>
    public static Geohash Parse(string text) =>
        TryParse(text, out var hash, out var error) ? hash : throw error;

    /// <summary>Parses a geohash; on failure returns false and the error naming the reason.</summary>
    public static bool TryParse(string? text, out Geohash hash, [NotNullWhen(false)] out GeoValidationException? error)
    {
        hash = default;
        if (text is null || text.Length is < MinPrecision or > MaxPrecision)
        {
            error = new GeoValidationException("geohash", text, $"must have {MinPrecision} to {MaxPrecision} characters");
            return false;
        }

        ulong bits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var value = c < 128 ? CharToValue[c] : (sbyte)-1;
            if (value < 0)
            {
                error = new GeoValidationException("geohash", text, $"character '{c}' at position {i} is not in the geohash alphabet {Alphabet}");
                return false;
            }

            bits = (bits << 5) | (byte)value;
        }

        hash = new Geohash(bits, text.Length);
        error = null;
        return true;
    }

    /// <summary>The cell's bounds in degrees, exact (the edges are dyadic fractions of 180 and 360).</summary>
    public GeoBox Bounds
    {
        get
        {
            var cellHeight = 180.0 / (1L << LatBits(Precision));
            var cellWidth = 360.0 / (1L << LonBits(Precision));
            var lat = LatIndex;
            var lon = LonIndex;
            return new GeoBox(-90 + lat * cellHeight, -180 + lon * cellWidth, -90 + (lat + 1) * cellHeight, -180 + (lon + 1) * cellWidth);
        }
    }

    /// <summary>The neighbour in a direction; wraps east–west across the antimeridian; null beyond a pole.</summary>
    public Geohash? Neighbor(GeohashDirection direction)
    {
        var (dLat, dLon) = direction switch
        {
            GeohashDirection.North => (1, 0),
            GeohashDirection.NorthEast => (1, 1),
            GeohashDirection.East => (0, 1),
            GeohashDirection.SouthEast => (-1, 1),
            GeohashDirection.South => (-1, 0),
            GeohashDirection.SouthWest => (-1, -1),
            GeohashDirection.West => (0, -1),
            GeohashDirection.NorthWest => (1, -1),
            _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "is not a direction"),
        };
        var lat = LatIndex + dLat;
        if (lat < 0 || lat >= 1L << LatBits(Precision)) return null;
        var lonMask = (1L << LonBits(Precision)) - 1;
        return FromIndices(lat, (LonIndex + dLon) & lonMask, Precision);
    }

    /// <summary>The base32 text of the cell.</summary>
    public override string ToString() =>
        string.Create(Precision, Bits, static (span, bits) =>
        {
            for (var i = span.Length - 1; i >= 0; i--)
            {
                span[i] = Alphabet[(int)(bits & 31)];
                bits >>= 5;
            }
        });

    /// <inheritdoc />
    public int CompareTo(Geohash other) => Packed.CompareTo(other.Packed);

    /// <summary>Throws unless the precision is within 1–12.</summary>
    public static void ValidatePrecision(int precision)
    {
        if (precision is < MinPrecision or > MaxPrecision)
            throw new GeoValidationException("precision", precision, $"must be within [{MinPrecision}, {MaxPrecision}]");
    }

    /// <summary>Index along one axis of a grid of 2^bits cells; exact, including points on an edge.</summary>
    internal static long AxisIndex(double value, double origin, double span, int bits)
    {
        var count = 1L << bits;
        var size = span / count;
        var index = Math.Clamp((long)Math.Floor((value - origin) / size), 0, count - 1);

        // The subtraction above can round; the edges themselves are exact, so settle against them.
        if (value < origin + index * size) index--;
        else if (index < count - 1 && value >= origin + (index + 1) * size) index++;
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Spread(ulong x)
    {
        x &= 0xFFFFFFFF;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFF;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FF;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0F;
        x = (x | (x << 2)) & 0x3333333333333333;
        return (x | (x << 1)) & 0x5555555555555555;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Compact(ulong x)
    {
        x &= 0x5555555555555555;
        x = (x | (x >> 1)) & 0x3333333333333333;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0F;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FF;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFF;
        return (x | (x >> 16)) & 0x00000000FFFFFFFF;
    }

    private static sbyte[] BuildDecodeTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (sbyte)i;
            table[char.ToUpperInvariant(Alphabet[i])] = (sbyte)i;
        }

        return table;
    }
}
