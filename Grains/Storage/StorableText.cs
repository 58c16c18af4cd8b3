namespace Alerts.Grains;

/// <summary>
/// Text both engines store and a phone shows as given: PostgreSQL refuses a NUL in a <c>TEXT</c> column (the whole
/// write fails, and every retry of it), and an unpaired surrogate has no UTF-8 form. Other control characters
/// than tab and line breaks are refused with them: nothing a person types, and a push cannot show them. So are the
/// noncharacters U+FFFE and U+FFFF, which XML cannot hold: a stored case must still export as CAP.
/// </summary>
public static class StorableText
{
    /// <summary>Why <paramref name="text"/> cannot be stored as it is, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c)) return $"has an unpaired surrogate U+{(int)c:X4} at character {i}";
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return $"has the control character U+{(int)c:X4} at character {i}; only tab and line breaks are allowed";
            if (c is '\uFFFE' or '\uFFFF') return $"has the noncharacter U+{(int)c:X4} at character {i}, which XML (and so a CAP export) cannot hold";
        }

        return null;
    }
}
