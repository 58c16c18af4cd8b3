using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case open</c>: files a case as a draft (where, how far, what to say, who is missing); nothing is sent yet.</summary>
public static class OpenCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var latitude = new Option<double>("--lat") { CustomParser = NumberOption.Parse, Description = "Latitude where the child was last seen, degrees [-90, 90]", Required = true };
        var longitude = new Option<double>("--lon") { CustomParser = NumberOption.Parse, Description = "Longitude where the child was last seen, degrees [-180, 180]", Required = true };
        var radius = new Option<double?>("--radius-km") { CustomParser = NumberOption.ParseOptional, Description = "Alert radius in km (default: the silos' Alerts:DefaultRadiusMeters, 120 km)" };
        var message = new Option<string>("--message") { Description = "The alert text every recipient sees (1-360 characters)", Required = true };
        var link = new Option<string>("--link") { Description = "Absolute http(s) link to the case's full record (the app opens it)", Required = true };
        var language = new Option<string>("--language") { Description = "Language of the message: zh-CN, zh-TW or en", DefaultValueFactory = _ => "zh-CN" };
        var name = new Option<string>("--child-name") { Description = "The child's name", Required = true };
        var age = new Option<int?>("--age") { Description = "The child's age in years (0-17)" };
        var sex = new Option<ChildSex>("--sex") { Description = "female, male or unknown", DefaultValueFactory = _ => ChildSex.Unknown };
        var height = new Option<int?>("--height-cm") { Description = "The child's height in cm (30-220)" };
        var clothing = new Option<string?>("--clothing") { Description = "What the child wore" };
        var appearance = new Option<string?>("--appearance") { Description = "Hair, build, marks: what helps to recognise the child" };
        var photo = new Option<string?>("--photo-url") { Description = "Absolute http(s) URL of a photo" };
        var seenAt = new Option<string>("--last-seen-at") { Description = "When the child was last seen: ISO 8601 with offset, e.g. 2026-11-29T14:05+08:00", Required = true };
        var place = new Option<string>("--last-seen-place") { Description = "Where the child was last seen, in words", Required = true };
        var police = new Option<string>("--police-ref") { Description = "The police's case reference", Required = true };
        var phone = new Option<string>("--contact-phone") { Description = "The number the public calls with information", Required = true };
        var correction = new Option<string>("--correction") { Description = "The correction sent to everyone reached if the case is cancelled (1-360 characters), written now so it is ready", Required = true };
        var exercise = new Option<bool>("--exercise") { Description = "A drill: reaches only users enrolled as testers, marked as a test, never live" };
        var rings = new Option<string[]>("--ring") { Description = "A widening ring AFTER:KM, e.g. 1h:200 (repeat for more; times after approval: 90m, 2h, 1d)", AllowMultipleArgumentsPerToken = false };
        var submit = new Option<bool>("--submit") { Description = "Submit for approval at once (draft → awaiting approval)" };
        var command = new Command("open", "File a case as a draft: where and how far to alert, what to say, who is missing. Nothing is sent until a second admin approves it.")
        {
            id, latitude, longitude, radius, message, link, language, name, age, sex, height, clothing, appearance, photo,
            seenAt, place, police, phone, correction, exercise, rings, submit,
        };
        return command.Runs(connection, async context =>
        {
            var lastSeenAt = LastSeenAt(context.Get(seenAt)!);
            var definition = new CaseDefinition(context.Get(latitude), context.Get(longitude), context.Get(radius) * 1000, context.Get(message)!, context.Get(link)!)
            {
                Language = context.Get(language)!,
                Child = new MissingChild(context.Get(name)!, context.Get(age), context.Get(sex), context.Get(height), context.Get(clothing), context.Get(appearance), context.Get(photo)),
                LastSeenAt = lastSeenAt,
                LastSeenPlace = context.Get(place),
                PoliceReference = context.Get(police),
                ContactPhone = context.Get(phone),
                Correction = context.Get(correction),
                Exercise = context.Get(exercise),
                Rings = (context.Get(rings) ?? []).Select(RingOption.Parse).ToList(),
            };
            await using var client = await context.ConnectAsync();
            var caseGrain = client.GetGrain<ICaseGrain>(context.Get(id));
            var progress = await caseGrain.Open(definition);
            if (context.Get(submit)) progress = await SubmitFiledAsync(caseGrain.Submit, progress.CaseId);
            // The filing says whether it is a drill, so a script can confirm what it filed.
            var view = CaseView.From(progress, new CaseDelivery(progress.CaseId, 0, 0, 0, 0)) with { Exercise = definition.Exercise };
            var next = context.Get(submit)
                ? $"status awaiting approval. A second admin sends it with: alerts case approve {view.CaseId}"
                : $"status draft. Submit it with: alerts case submit {view.CaseId}";
            context.Output.Write(view, $"case {view.CaseId} filed{(definition.Exercise ? " as a drill" : "")}: radius {view.RadiusKm:0.###} km, {next}");
        });
    }

    // A time without an offset would be taken in some zone the admin did not mean, and the public would read a wrong hour.
    private static DateTimeOffset LastSeenAt(string text)
    {
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var lastSeenAt))
            throw new ConsoleFailure(ExitCodes.BadInput, $"--last-seen-at \"{text}\" is not a date and time: use ISO 8601, e.g. 2026-11-29T14:05+08:00");
        if (parsed.Kind == DateTimeKind.Unspecified)
            throw new ConsoleFailure(ExitCodes.BadInput, $"--last-seen-at \"{text}\" has no offset: add the local offset, e.g. 2026-11-29T14:05+08:00 (Z for UTC)");
        return lastSeenAt;
    }

    /// <summary>
    /// Submits a case just filed. The draft exists once filed, so a failed submit says so and how to submit it: running
    /// the same command again would meet "already exists".
    /// </summary>
    public static async Task<CaseProgress> SubmitFiledAsync(Func<Task<CaseProgress>> submit, string caseId)
    {
        try
        {
            return await submit();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = ConsoleFailure.From(e);
            // No answer is not a refusal: the submit may have been made, and submitting again would then say so (exit 5).
            if (failure.ExitCode == ExitCodes.Unreachable)
                throw new ConsoleFailure(failure.ExitCode, $"case {caseId} filed as a draft, but submitting it got no answer ({failure.Message}), so it may have been submitted. See: alerts case show {caseId}; if it is still a draft, submit it with: alerts case submit {caseId}", e);
            throw new ConsoleFailure(failure.ExitCode, $"case {caseId} filed as a draft, but submitting it failed: {failure.Message}. Submit it with: alerts case submit {caseId}", e);
        }
    }
}
