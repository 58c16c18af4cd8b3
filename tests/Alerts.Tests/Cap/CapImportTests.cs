using System.Text;
using Alerts.Client.Cap;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>CAP 1.2 alerts into draft cases: a realistic three-language alert, and every document that must be refused with a clear error.</summary>
public sealed class CapImportTests
{
    [Fact]
    public void A_three_language_alert_becomes_a_zh_CN_case_with_translations_child_details_rings_and_the_circle()
    {
        var imported = CapImport.Read(File.ReadAllBytes(CapSamples.PathOf("amber-shenzhen.xml")));

        // The identifier's other characters become '-', and only its last 64 characters are kept.
        Assert.Equal("urn-oid-2-49-0-1-156-44-3-SZ-FT-20261128-0417", imported.CaseId);
        Assert.Equal("urn:oid:2.49.0.1.156.44.3:SZ-FT-20261128-0417", imported.Identifier);
        Assert.Equal("futian-police@sz.example", imported.Sender);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 14, 30, 0, TimeSpan.FromHours(8)), imported.Sent);

        var definition = imported.Definition;
        // zh-TW comes first in the document, but the first zh-CN block is the case's language.
        Assert.Equal("zh-CN", definition.Language);
        Assert.Equal("陈小雨，女，7岁，身高约122厘米，穿粉红色雨衣、蓝色牛仔裤，11月28日13:50在深圳莲花山公园南门走失。 如有线索请致电 +86 755 2345 6789。", definition.Message);
        Assert.Equal((22.5535, 114.0563, 100_000d), (definition.Latitude, definition.Longitude, definition.RadiusMeters!.Value));
        Assert.Equal("https://alerts.example/c/SZ-FT-20261128-0417", definition.Link);
        Assert.Equal("+86 755 2345 6789", definition.ContactPhone);
        Assert.False(definition.Exercise);
        Assert.Equal(
            new MissingChild("陈小雨", 7, ChildSex.Female, 122, "粉红色雨衣，蓝色牛仔裤，白色运动鞋", "短发，左眉上方有一颗小痣", "https://alerts.example/c/SZ-FT-20261128-0417/photo.jpg"),
            definition.Child);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 13, 50, 0, TimeSpan.FromHours(8)), definition.LastSeenAt);
        Assert.Equal("莲花山公园南门，福田区红荔路", definition.LastSeenPlace);
        Assert.Equal("SZ-FT-20261128-0417", definition.PoliceReference);
        Assert.Equal("更正：深圳陈小雨走失警报有误，已撤销，请勿理会。", definition.Correction);
        Assert.Equal([new WideningRing(TimeSpan.FromHours(1), 200_000), new WideningRing(TimeSpan.FromHours(2), 300_000)], definition.Rings);

        // The other blocks, in document order; en-US reads as en; each keeps its own prepared correction.
        Assert.Equal(["zh-TW", "en"], definition.Translations.Select(t => t.Language));
        Assert.StartsWith("陳小雨，女，7歲", definition.Translations[0].Message);
        Assert.EndsWith("如有線索請致電 +86 755 2345 6789。", definition.Translations[0].Message);
        Assert.Equal("更正：深圳陳小雨走失警報有誤，已撤銷，請勿理會。", definition.Translations[0].Correction);
        Assert.Equal("Chen Xiaoyu, girl, 7, about 122 cm, pink raincoat and blue jeans, missing since 13:50 on 28 Nov at the south gate of Lianhuashan Park, Shenzhen. Call +86 755 2345 6789 with any information.",
            definition.Translations[1].Message);
        Assert.StartsWith("Correction: ", definition.Translations[1].Correction);
    }

    [Fact]
    public void Exercise_is_a_drill_radius_zero_is_the_default_and_a_headline_stands_in_for_a_missing_description()
    {
        var text = CapSamples.Text("gz-circle.xml")
            .Replace("<status>Actual</status>", "<status>Exercise</status>", StringComparison.Ordinal)
            .Replace("23.1372,113.3245 80", "23.1372,113.3245 0", StringComparison.Ordinal);
        text = System.Text.RegularExpressions.Regex.Replace(text, "<description>.*</description>", "");
        var imported = CapImport.Read(Encoding.UTF8.GetBytes(text));

        Assert.True(imported.Definition.Exercise);
        Assert.Null(imported.Definition.RadiusMeters);
        Assert.Equal("Missing child: Li Haoran", imported.Definition.Message);
        Assert.Equal("en", imported.Definition.Language);
        Assert.Equal("GZ-TH-20261128-0093", imported.CaseId);
        Assert.Empty(imported.Definition.Translations);
        Assert.Equal(new MissingChild("Li Haoran", 5, ChildSex.Male), imported.Definition.Child);
    }

    [Fact]
    public void Without_a_zh_CN_or_en_block_the_first_block_is_the_case_language()
    {
        var imported = CapImport.Read(CapSamples.Edited("gz-circle.xml", "<language>en</language>", "<language>zh-HK</language>"));
        Assert.Equal("zh-TW", imported.Definition.Language);
    }

    [Theory]
    [InlineData("zh-CN", "zh-CN")]
    [InlineData("zh", "zh-CN")]
    [InlineData("zh-Hans-CN", "zh-CN")]
    [InlineData("zh-HK", "zh-TW")]
    [InlineData("zh-Hant", "zh-TW")]
    [InlineData("en-GB", "en")]
    [InlineData("EN", "en")]
    [InlineData("es-US", null)]
    public void Cap_languages_map_to_the_case_languages(string cap, string? language) => Assert.Equal(language, CapLanguages.ToCase(cap));

    public static TheoryData<string, string, string, string?, string> Refusals => new()
    {
        // sample, text to replace, replacement, element named (null: the document), words in the message
        { "gz-circle.xml", "</info>", "", null, "malformed XML (line" },
        { "gz-circle.xml", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">", "<alert xmlns=\"http://www.w3.org/1999/xhtml\">", "alert", "not a CAP 1.2 alert: the root is alert in http://www.w3.org/1999/xhtml" },
        { "gz-cap11.xml", "<identifier>", "<identifier>", "alert", "other CAP versions are not read" },
        { "gz-circle.xml", " xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", "", "alert", "the root is alert in no namespace" },
        { "gz-polygon-only.xml", "<identifier>", "<identifier>", "circle", "only as 1 polygon(s) and 0 geocode(s)" },
        { "gz-geocode-only.xml", "<identifier>", "<identifier>", "circle", "only as 0 polygon(s) and 1 geocode(s)" },
        { "gz-two-circles.xml", "<identifier>", "<identifier>", "circle", "has 2 circles in 2 area(s)" },
        { "gz-circle.xml", "<circle>23.1372,113.3245 80</circle>", "<circle>23.1372,113.3245 80</circle><circle>23.2,113.3 10</circle>", "circle", "has 2 circles in 1 area(s)" },
        { "gz-circle.xml", "<circle>", "<polygon>23.2,113.2 23.3,113.3 23.2,113.4 23.2,113.2</polygon><circle>", "polygon", "1 polygon(s) beside its circle" },
        { "gz-circle.xml", "</circle>", "</circle><polygon>23.2,113.2 23.3,113.3 23.2,113.4 23.2,113.2</polygon>", "polygon", "not valid CAP 1.2" },
        { "gz-circle.xml", "23.1372,113.3245 80", "93.1372,113.3245 80", "circle", "latitude 93.1372 is invalid" },
        { "gz-circle.xml", "23.1372,113.3245 80", "23.1372,213.3245 80", "circle", "longitude 213.3245 is invalid" },
        { "gz-circle.xml", "23.1372,113.3245 80", "23.1372;113.3245 80", "circle", "is not \"latitude,longitude radius_km\"" },
        { "gz-circle.xml", "23.1372,113.3245 80", "23.1372,113.3245 eighty", "circle", "radius \"eighty\"" },
        { "gz-circle.xml", "23.1372,113.3245 80", "23.1372,113.3245 -5", "circle", "negative" },
        { "gz-circle.xml", "23.1372,113.3245 80", "23.1372,113.3245 20000", "circle", "20000 km is more than the 10000 km" },
        { "gz-circle.xml", "<description>Li Haoran, boy", $"<description>{new string('x', 300)} Li Haoran, boy", "description", "makes an alert message of 447 characters (description); at most 360" },
        { "gz-circle.xml", "<web>", "<instruction>" + new string('y', 250) + "</instruction><web>", "description", "(description + instruction); at most 360" },
        { "gz-circle.xml", "<status>Actual</status>", "<status>Test</status>", "status", "Test is not imported" },
        { "gz-circle.xml", "<status>Actual</status>", "<status>Draft</status>", "status", "Draft is not imported" },
        { "gz-circle.xml", "<status>Actual</status>", "<status>Live</status>", "status", "not valid CAP 1.2" },
        { "gz-circle.xml", "<msgType>Alert</msgType>", "<msgType>Update</msgType><references>tianhe-police@gz.example,GZ-TH-1,2026-11-28T08:00:00+08:00</references>", null, "not valid CAP 1.2" },
        { "gz-circle.xml", "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>", "msgType", "Cancel does not file a case: only an Alert does" },
        { "gz-circle.xml", "<scope>Public</scope>", "<scope>Private</scope>", "scope", "only Public alerts" },
        { "gz-circle.xml", "<sender>tianhe-police@gz.example</sender>", "", "sent", "sender" },
        { "gz-circle.xml", "<sent>2026-11-28T09:12:00+08:00</sent>", "<sent>2026-11-28 09:12</sent>", "sent", "not valid CAP 1.2" },
        { "gz-circle.xml", "<web>https://alerts.example/c/GZ-TH-20261128-0093</web>", "", "web", "no web" },
        { "gz-circle.xml", "<language>en</language>", "<language>es-US</language>", "language", "es-US is not a case language" },
        { "gz-circle.xml", "<value>5</value>", "<value>five</value>", "parameter", "childAge \"five\" is not a whole number" },
        { "gz-circle.xml", "<value>male</value>", "<value>boy</value>", "parameter", "childSex \"boy\"" },
        { "gz-circle.xml", "<parameter><valueName>childName</valueName><value>Li Haoran</value></parameter>", "", "parameter", "childName is missing" },
        { "gz-circle.xml", "<parameter><valueName>childAge</valueName>", "<parameter><valueName>childAge</valueName><value>6</value></parameter><parameter><valueName>childAge</valueName>", "parameter", "childAge appears 2 times" },
        { "gz-circle.xml", "2026-11-28T08:40:00+08:00", "yesterday morning", "parameter", "lastSeenAt \"yesterday morning\" is not a date-time" },
        // Without its offset XML Schema reads the time in the machine's zone, and a bare date as midnight: refused, not guessed.
        { "gz-circle.xml", "2026-11-28T08:40:00+08:00", "2026-11-28T08:40:00", "parameter", "lastSeenAt \"2026-11-28T08:40:00\" is not a date-time with its offset" },
        { "gz-circle.xml", "2026-11-28T08:40:00+08:00", "2026-11-28", "parameter", "lastSeenAt \"2026-11-28\" is not a date-time with its offset" },
        { "gz-circle.xml", "2026-11-28T08:40:00+08:00", "2026-11-28T08:40+08:00", "parameter", "lastSeenAt \"2026-11-28T08:40+08:00\" is not a date-time with its offset" },
        // Valid for the schema, outside what a DateTimeOffset holds once taken to UTC.
        { "gz-circle.xml", "<sent>2026-11-28T09:12:00+08:00</sent>", "<sent>0001-01-01T00:00:00+14:00</sent>", "sent", "sent \"0001-01-01T00:00:00+14:00\" is out of range" },
        { "gz-circle.xml", "<sent>2026-11-28T09:12:00+08:00</sent>", "<sent>9999-12-31T23:59:59-14:00</sent>", "sent", "sent \"9999-12-31T23:59:59-14:00\" is out of range" },
        { "gz-circle.xml", "2026-11-28T08:40:00+08:00", "0001-01-01T00:00:00+14:00", "parameter", "lastSeenAt \"0001-01-01T00:00:00+14:00\" is out of range" },
        { "amber-shenzhen.xml", "<circle>22.5535,114.0563 100</circle>\n    </area>\n  </info>\n  <info>", "<circle>22.5535,114.0563 150</circle>\n    </area>\n  </info>\n  <info>", "area", "info[1] (zh-TW) describes another area than info[2] (zh-CN)" },
        { "amber-shenzhen.xml", "<language>en-US</language>", "<language>zh-Hans</language>", "language", "info[3] (zh-Hans) is a second zh-CN block (after info[2] (zh-CN))" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_bad_document_is_refused_naming_the_element_and_the_reason(string sample, string from, string to, string? element, string words)
    {
        var error = Assert.Throws<CapFormatException>(() => CapImport.Read(CapSamples.Edited(sample, from, to)));
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        if (element is not null) Assert.Equal(element, error.Element);
        Assert.StartsWith(element is null && error.Element is null ? "CAP document: " : "CAP element <", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("2026-11-28T00:40:00Z")]
    [InlineData("2026-11-28T08:40:00.000+08:00")]
    [InlineData("2026-11-27T20:40:00-04:00")]
    public void LastSeenAt_with_an_offset_or_Z_and_a_fraction_of_a_second_is_read(string lastSeenAt)
    {
        var imported = CapImport.Read(CapSamples.Edited("gz-circle.xml", "2026-11-28T08:40:00+08:00", lastSeenAt));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 40, 0, TimeSpan.Zero), imported.Definition.LastSeenAt);
    }

    [Fact]
    public void An_alert_without_info_blocks_is_refused()
    {
        var text = CapSamples.Text("gz-circle.xml");
        var bare = text[..text.IndexOf("  <info>", StringComparison.Ordinal)] + "</alert>\n";
        var error = Assert.Throws<CapFormatException>(() => CapImport.Read(Encoding.UTF8.GetBytes(bare)));
        Assert.Equal("info", error.Element);
    }

    [Theory]
    [InlineData("billion-laughs.xml")]
    [InlineData("external-entity.xml")]
    public void A_DTD_is_refused_before_any_entity_is_expanded_or_read(string sample)
    {
        // Refused at the DOCTYPE itself (the error names it): no entity it declares was expanded or read.
        var error = Assert.Throws<CapFormatException>(() => CapImport.Read(File.ReadAllBytes(CapSamples.PathOf(sample))));
        Assert.Equal("!DOCTYPE", error.Element);
        Assert.Contains("a DTD is refused", error.Message);
        Assert.DoesNotContain("root:", error.Message);
    }

    [Fact]
    public async Task An_oversized_document_is_refused_before_parsing_from_bytes_and_from_a_stream()
    {
        var text = CapSamples.Text("gz-circle.xml");
        var padded = Encoding.UTF8.GetBytes(text.Replace("<scope>", $"<!-- {new string('-', 0)}{new string('p', CapReader.MaxBytes)} --><scope>", StringComparison.Ordinal));
        var error = Assert.Throws<CapFormatException>(() => CapImport.Read(padded));
        Assert.Null(error.Element);
        Assert.Contains("is more than the 1,048,576 bytes", error.Message);

        var streamed = await Assert.ThrowsAsync<CapFormatException>(() => CapReader.ReadAsync(new MemoryStream(padded)));
        Assert.Contains("more than the 1,048,576 bytes", streamed.Message);
        Assert.Equal(text.Length, (await CapReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)))).Length);
    }

    [Fact]
    public void Empty_and_non_XML_input_are_refused()
    {
        Assert.Contains("empty", Assert.Throws<CapFormatException>(() => CapImport.Read([])).Message);
        Assert.Contains("malformed XML", Assert.Throws<CapFormatException>(() => CapImport.Read(Encoding.UTF8.GetBytes("{\"alert\": true}"))).Message);
    }

    [Theory]
    [InlineData("SZ-0417", "SZ-0417")]
    [InlineData("sz-0417:notice:2", "sz-0417-notice-2")]
    [InlineData("  a b//c  ", "a-b-c")]
    [InlineData("2.49.0.1.840.0.0123456789012345678901234567890123456789012345678901234567890123456789", "6789012345678901234567890123456789012345678901234567890123456789")]
    public void Identifiers_become_valid_case_ids(string identifier, string caseId)
    {
        Assert.Equal(caseId, CapIdentifiers.ToCaseId(identifier));
        Assert.True(CapIdentifiers.IsCaseId(caseId));
    }

    [Fact]
    public void An_identifier_without_letters_or_digits_suggests_no_case_id_but_the_alert_still_maps()
    {
        var imported = CapImport.Read(CapSamples.Edited("gz-circle.xml", "<identifier>GZ-TH-20261128-0093</identifier>", "<identifier>::</identifier>"));
        Assert.Null(imported.CaseId);
        Assert.Equal("::", imported.Identifier);
    }
}
