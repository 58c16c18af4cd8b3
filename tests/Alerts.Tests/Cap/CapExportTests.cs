using System.Text;
using System.Xml.Linq;
using Alerts.Client.Cap;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Cases out as CAP 1.2: valid against the OASIS schema as Alert, Update, Cancel and Exercise; identifiers and references line up; import(export(x)) keeps every field.</summary>
public sealed class CapExportTests
{
    private static readonly DateTimeOffset FiledAt = new(2026, 11, 28, 14, 31, 7, TimeSpan.Zero);

    [Fact]
    public void The_embedded_schema_is_the_OASIS_file_with_its_copyright_notice()
    {
        using var xsd = new StreamReader(CapSchema.OpenXsd());
        var text = xsd.ReadToEnd();
        Assert.Contains("<!-- Copyright OASIS Open 2010 All Rights Reserved -->", text);
        Assert.Contains("targetNamespace = \"urn:oasis:names:tc:emergency:cap:1.2\"", text);
    }

    [Fact]
    public void The_alert_is_valid_CAP_with_one_info_per_language_and_the_current_radius()
    {
        var bytes = Export(Record());
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        var alert = XDocument.Load(new MemoryStream(bytes)).Root!;
        Assert.Equal("sz-0417", Value(alert, "identifier"));
        Assert.Equal("alerts", Value(alert, "sender"));
        Assert.Equal("2026-11-28T14:31:07+00:00", Value(alert, "sent"));
        Assert.Equal("Actual", Value(alert, "status"));
        Assert.Equal("Alert", Value(alert, "msgType"));
        Assert.Null(alert.Element(CapAlert.Cap("references")));
        var infos = alert.Elements(CapAlert.Cap("info")).ToList();
        Assert.Equal(["zh-CN", "zh-TW", "en"], infos.Select(i => Value(i, "language")));
        Assert.All(infos, info =>
        {
            Assert.Equal("Rescue", Value(info, "category"));
            Assert.Equal("Missing child", Value(info, "event"));
            Assert.Equal(("Immediate", "Severe", "Likely"), (Value(info, "urgency"), Value(info, "severity"), Value(info, "certainty")));
            // Widened to 150 km since it was filed with 100: the export says where the case reaches now.
            Assert.Equal("22.5535,114.0563 150", info.Element(CapAlert.Cap("area"))!.Element(CapAlert.Cap("circle"))!.Value);
            Assert.Equal("2026-12-01T14:40:00+00:00", Value(info, "expires"));
        });
        Assert.Equal("走失儿童: 陈小雨", Value(infos[0], "headline"));
        Assert.Equal("Missing child: 陈小雨", Value(infos[2], "headline"));
    }

    [Fact]
    public void A_drill_exports_as_Exercise_and_stays_valid()
    {
        var record = Record() with { Definition = Record().Definition with { Exercise = true } };
        var bytes = Export(record);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        Assert.Equal("Exercise", Value(XDocument.Load(new MemoryStream(bytes)).Root!, "status"));
        Assert.True(CapImport.Read(bytes).Definition.Exercise);
    }

    [Theory]
    [InlineData(CaseStatus.Draft, false)]
    [InlineData(CaseStatus.AwaitingApproval, false)]
    [InlineData(CaseStatus.Draft, true)]
    public void A_case_never_approved_exports_as_Draft_which_import_refuses(CaseStatus status, bool exercise)
    {
        // Filed, submitted or sent back: nobody but the filer has seen it, so nothing downstream may act on it.
        var record = Record() with { Status = status, ApprovedBy = null, ApprovedAt = null, ActiveUntil = null, Notices = [] };
        record = record with { Definition = record.Definition with { Exercise = exercise } };
        var bytes = Export(record);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        Assert.Equal("Draft", Value(XDocument.Load(new MemoryStream(bytes)).Root!, "status"));
        var error = Assert.Throws<CapFormatException>(() => CapImport.Read(bytes));
        Assert.Equal("status", error.Element);
        Assert.Contains("Draft is not imported", error.Message);
    }

    [Fact]
    public void A_case_cancelled_before_approval_exports_its_Cancel_as_Draft_and_an_approved_one_as_Actual()
    {
        var cancelled = Record() with { Status = CaseStatus.Cancelled, ApprovedBy = null, ApprovedAt = null, ActiveUntil = null, Notices = [Record().Notices[2] with { Number = 1 }] };
        var draft = Export(cancelled, 1);
        Assert.Empty(CapSamples.SchemaErrors(draft));
        Assert.Equal(("Cancel", "Draft"), (CapAlert.Parse(draft).MsgType, CapAlert.Parse(draft).Status));
        Assert.Equal("status", Assert.Throws<CapFormatException>(() => CapFollowUp.From(CapAlert.Parse(draft), "sz-0417", "zh-CN")).Element);

        Assert.Equal("Actual", CapAlert.Parse(Export(Record(), 3)).Status);
        Assert.Equal("Actual", CapAlert.Parse(Export(Record())).Status);
    }

    [Theory]
    [InlineData(5E-05, "0.00005")]
    [InlineData(-1.5E-07, "-0.00000015")]
    [InlineData(1.2345678901234568E-05, "0.000012345678901234568")]
    [InlineData(1E+16, "10000000000000000")]
    [InlineData(1.5E+20, "150000000000000000000")]
    [InlineData(114.0563, "114.0563")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0d, "0")]
    public void Numbers_are_plain_decimals_that_read_back_exactly(double value, string text)
    {
        Assert.Equal(text, CapDecimal.Format(value));
        Assert.Equal(value, double.Parse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_case_a_few_metres_from_Greenwich_and_the_equator_with_tiny_values_survives_import_of_its_export()
    {
        // "R" wrote 5E-05 for these, and the importer refused its own export: "is not a decimal number".
        var circle = new CapCircle(-0.000012345, 0.00005, 3E-05);
        Assert.Equal(circle, CapCircle.Parse(circle.ToString()));
        Assert.DoesNotContain("E", circle.ToString(), StringComparison.Ordinal);

        var definition = Record().Definition with
        {
            Latitude = -0.000012345,
            Longitude = 0.00005,
            LastSeenPlace = null,
            Rings = [new WideningRing(TimeSpan.FromMinutes(6E-05), 200_000), new WideningRing(TimeSpan.FromHours(2), 300_000)],
        };
        var record = Record() with { Definition = definition };
        var bytes = Export(record);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        Assert.DoesNotContain("E-0", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equivalent(definition with { RadiusMeters = record.RadiusMeters }, CapImport.Read(bytes).Definition, strict: true);
    }

    [Theory]
    [InlineData(1, "Update", "Monitor", "Immediate")]
    [InlineData(2, "Update", "AllClear", "Past")]
    [InlineData(3, "Cancel", "None", "Past")]
    public void A_notice_exports_as_Update_or_Cancel_referring_to_the_alert(int notice, string msgType, string responseType, string urgency)
    {
        var record = Record();
        var bytes = Export(record, notice);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        var alert = XDocument.Load(new MemoryStream(bytes)).Root!;
        Assert.Equal(msgType, Value(alert, "msgType"));
        Assert.Equal($"sz-0417:notice:{notice}", Value(alert, "identifier"));
        Assert.Equal(CapDateTime.Format(record.Notices[notice - 1].IssuedAt), Value(alert, "sent"));

        // The reference is exactly "sender,identifier,sent" of the exported alert.
        var original = XDocument.Load(new MemoryStream(Export(record))).Root!;
        Assert.Equal($"{Value(original, "sender")},{Value(original, "identifier")},{Value(original, "sent")}", Value(alert, "references"));

        var infos = alert.Elements(CapAlert.Cap("info")).ToList();
        Assert.Equal(record.Notices[notice - 1].Message, Value(infos[0], "description"));
        Assert.Equal(responseType, Value(infos[0], "responseType"));
        Assert.Equal(urgency, Value(infos[0], "urgency"));
        // A cancellation carries every prepared correction; an update exists in the case's language only.
        Assert.Equal(msgType == "Cancel" ? ["zh-CN", "zh-TW", "en"] : ["zh-CN"], infos.Select(i => Value(i, "language")));
        if (msgType == "Cancel")
        {
            Assert.Equal("sent in error", Value(alert, "note"));
            Assert.Equal(record.Definition.Translations[1].Correction, Value(infos[2], "description"));
        }

        // It files no case; imported as a follow-up it does to the case what the notice did.
        Assert.Equal("msgType", Assert.Throws<CapFormatException>(() => CapImport.Read(bytes)).Element);
        var parsed = CapAlert.Parse(bytes);
        Assert.Equal("sz-0417", CapFollowUp.TargetOf(parsed));
        var followUp = CapFollowUp.From(parsed, "sz-0417", "zh-CN");
        Assert.Equal(record.Notices[notice - 1].Kind, followUp.Kind);
        Assert.Equal(msgType == "Cancel" ? "sent in error" : record.Notices[notice - 1].Message, followUp.Text);
        Assert.False(followUp.Exercise);
    }

    [Fact]
    public void A_follow_up_needs_a_reference_and_a_block_in_the_case_language()
    {
        var update = Encoding.UTF8.GetString(Export(Record(), 1));
        var unreferenced = CapAlert.Parse(Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(update, "<references>.*</references>", "")));
        Assert.Contains("must name the alert it follows", Assert.Throws<CapFormatException>(() => CapFollowUp.TargetOf(unreferenced)).Message);
        var garbled = CapAlert.Parse(Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(update, "<references>.*</references>", "<references>sz-0417</references>")));
        Assert.Equal("references", Assert.Throws<CapFormatException>(() => CapFollowUp.TargetOf(garbled)).Element);
        var error = Assert.Throws<CapFormatException>(() => CapFollowUp.From(CapAlert.Parse(Encoding.UTF8.GetBytes(update)), "sz-0417", "en"));
        Assert.Contains("the Update has no en block, the language of case sz-0417 (it has: zh-CN)", error.Message);
    }

    [Fact]
    public void An_unknown_notice_or_a_bad_sender_is_refused()
    {
        Assert.Contains("has no notice 9 (its notices: 1, 2, 3)", Assert.Throws<KeyNotFoundException>(() => CapExport.ToXml(Record(), 9)).Message);
        Assert.Contains("sender \"a b\" is invalid", Assert.Throws<ArgumentException>(() => CapExport.ToXml(Record(), sender: "a b")).Message);
    }

    [Fact]
    public void Import_of_an_export_keeps_every_field()
    {
        var record = Record();
        var imported = CapImport.Read(Export(record, sender: "futian-police@sz.example"));

        Assert.Equal(record.CaseId, imported.CaseId);
        Assert.Equal("futian-police@sz.example", imported.Sender);
        Assert.Equal(record.FiledAt, imported.Sent);
        // The only difference: the radius the case has now is written out, where the filer had asked for 100 km.
        Assert.Equivalent(record.Definition with { RadiusMeters = record.RadiusMeters }, imported.Definition, strict: true);
    }

    [Fact]
    public void Import_of_an_export_keeps_a_minimal_case_too()
    {
        var minimal = new CaseDefinition(-33.8688, 151.2093, null, "Missing: girl, 9, green school uniform, last seen at Town Hall station", "https://alerts.example/c/syd-1")
        {
            Language = "en",
        };
        var record = Record() with { CaseId = "syd-1", Definition = minimal, RadiusMeters = 120_000, Notices = [] };
        var bytes = Export(record);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        Assert.Equivalent(minimal with { RadiusMeters = 120_000 }, CapImport.Read(bytes).Definition, strict: true);
    }

    [Fact]
    public void The_sample_alert_survives_import_export_import()
    {
        var first = CapImport.Read(File.ReadAllBytes(CapSamples.PathOf("amber-shenzhen.xml")));
        var record = Record() with { CaseId = first.CaseId!, Definition = first.Definition, RadiusMeters = first.Definition.RadiusMeters!.Value };
        var bytes = Export(record);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        Assert.Equivalent(first.Definition, CapImport.Read(bytes).Definition, strict: true);
    }

    /// <summary>A case filed from the Shenzhen sample, approved, widened to 150 km, with an update, a closing message and a correction.</summary>
    public static CaseRecord Record()
    {
        var definition = CapImport.Read(File.ReadAllBytes(CapSamples.PathOf("amber-shenzhen.xml"))).Definition with
        {
            LastSeenAt = new DateTimeOffset(2026, 11, 28, 13, 50, 12, 345, TimeSpan.FromHours(8)),
        };
        CaseNotice[] notices =
        [
            new(1, NoticeKind.Update, "更新：陈小雨可能乘坐地铁1号线往罗湖方向。", FiledAt.AddHours(2), "admin-2", FiledAt.AddHours(2)),
            new(2, NoticeKind.Resolved, "陈小雨已找到，平安。感谢大家转发。", FiledAt.AddHours(5), "admin-2", FiledAt.AddHours(5)),
            new(3, NoticeKind.Cancelled, definition.Correction!, FiledAt.AddHours(6), "admin-2", FiledAt.AddHours(6)),
        ];
        return new CaseRecord("sz-0417", CaseStatus.Active, definition, 150_000, "admin-1", FiledAt, "admin-2", FiledAt.AddMinutes(9),
            new DateTimeOffset(2026, 12, 1, 14, 40, 0, TimeSpan.Zero), "sent in error", notices, 1, 12_345, 67);
    }

    private static byte[] Export(CaseRecord record, int? notice = null, string sender = CapIdentifiers.DefaultSender)
    {
        var document = CapExport.ToXml(record, notice, sender);
        CapSchema.Validate(document);
        var bytes = CapExport.ToBytes(document);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", Encoding.UTF8.GetString(bytes));
        return bytes;
    }

    private static string Value(XElement parent, string name) => parent.Element(CapAlert.Cap(name))!.Value;
}
