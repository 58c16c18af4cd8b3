using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Moves journaled before their cell calls (<see cref="MoveJournal"/>), so that a shard activated after its silo died
/// settles the moves its predecessor may have left half done: each new block is asked whether it took the user, and
/// each old block lets them go unless they are still there. Settling is the same as after a failed call.
/// </summary>
public sealed partial class UserDirectoryGrain
{
    // This activation's rows, each with the writes of its new positions: a row may go only once they are written (a
    // shard activated before that would read the old blocks from the table, and only the row could correct it) and
    // nothing is left to settle.
    private readonly List<(long Seq, Task Written)> _journaled = [];
    private long _journalSeq;

    private async Task ResumeJournaledMovesAsync()
    {
        var rows = await journal.ReadAsync(Shard);
        if (rows.Count == 0) return;
        _journalSeq = rows[^1].Seq;
        var resumed = 0;
        foreach (var (seq, moves) in rows)
        {
            // Rows of the previous activation are taken as written: the table it is read with is all there is.
            _journaled.Add((seq, Task.CompletedTask));
            foreach (var move in moves)
            {
                // Blocks of another size (BlockPrecision changed in between) are other grains: asking one would find the
                // user in it and remove them, deleting the row they are in.
                if (Geohash.FromPacked(move.From).Precision != _blockPrecision || Geohash.FromPacked(move.To).Precision != _blockPrecision) continue;
                Add(_unanswered, move.To, move.UserId);
                Add(_owedDepartures, move.From, move.UserId);
                resumed++;
            }
        }

        // After a clean shutdown these are the last report's, long settled: asking again costs a lookup per user.
        logger.LogInformation("Directory shard {Shard}: settling {Moves} journaled moves of its previous activation", Shard, resumed);
        Ask();
        KeepSettling();
    }

    // Before any cell call: a move that is not in the journal must never be left half done by a dying silo. Rows whose
    // positions are written go in the same transaction, once nothing is left to settle. If the write fails, the
    // report fails untouched. Returns the row's number, 0 when there was nothing to journal.
    private async Task<long> JournalAsync(Dictionary<long, Move> moves)
    {
        if (!journal.Enabled) return 0;
        var journeys = new List<JournaledMove>();
        foreach (var (userId, move) in moves)
            if (move.Previous.Block != 0 && move.Previous.Block != move.Block) journeys.Add(new JournaledMove(userId, move.Previous.Block, move.Block));
        if (journeys.Count == 0) return 0;
        var done = Deletable();
        try
        {
            await journal.BeginAsync(Shard, ++_journalSeq, done, journeys);
        }
        catch
        {
            foreach (var (userId, move) in moves) _users.Set(userId, move.Previous);
            throw;
        }

        _journaled.RemoveAll(j => done.Contains(j.Seq));
        return _journalSeq;
    }

    // The row's new positions are written when each writer holding them has written. Waited for without asking for a
    // write: the report's own wait, after every shard's turn, asks for the one that takes all of the report together.
    private void Journaled(long seq, IEnumerable<WriteTicket> writes)
    {
        if (seq == 0) return;
        _journaled.Add((seq, Task.WhenAll(writes.Select(w => Cell(w.Block).WhenNextWritten(w.Writer)))));
    }

    private HashSet<long> Deletable()
    {
        // A row whose writes failed stays for the next activation to replay: its positions may not be in the table.
        _journaled.RemoveAll(j => j.Written is { IsFaulted: true, Exception: not null } or { IsCanceled: true });
        return IsSettled ? _journaled.Where(j => j.Written.IsCompletedSuccessfully).Select(j => j.Seq).ToHashSet() : [];
    }

    // A clean deactivation (its silo shutting down) leaves no rows it need not: the next activation would replay them.
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var done = Deletable();
        if (done.Count == 0) return;
        try
        {
            await journal.DeleteAsync(Shard, done);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Directory shard {Shard}: its settled journal rows stay (the next activation replays them)", Shard);
        }
    }
}
