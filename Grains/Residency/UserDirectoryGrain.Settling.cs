using System.Runtime.InteropServices;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// What failed cell calls leave behind. A block whose upsert failed may or may not have taken its users (the answer,
/// not the call, may be what was lost): they are rolled back, so the gateway's retry is applied, and the block is
/// asked which of them it holds. A departure that failed is owed. Both are settled before the shard's next report and
/// every DispatchRetryDelay while any is left, without waiting for an answer: a block that cannot give one (its silo
/// just died, its rows are loading) must not hold up reports. (Owed removals are awaited as a report's own removals
/// are; a removal touches no storage.) Each user then ends in one block, the one with their newest fix, whether a retry
/// comes or a newer fix overtakes it.
/// </summary>
public sealed partial class UserDirectoryGrain
{
    // Users a block still holds though they have left it (its removal failed), by block.
    private readonly Dictionary<long, HashSet<long>> _owedDepartures = new();

    // Users sent to a block whose upsert failed, by block, until the block says which of them it holds.
    private readonly Dictionary<long, HashSet<long>> _unanswered = new();

    // The question to each unanswered block in flight: the users it settles, and the answer to come (those held → their
    // fix there). A user sent to the block again while it is out, or erased, leaves that set: the answer predates them.
    private readonly Dictionary<long, (HashSet<long> Users, Task<Dictionary<long, long>> Answer)> _asking = new();

    private IGrainTimer? _settling;

    public async Task<UnsettledResidency> Settle()
    {
        await SettleAsync();
        return Unsettled();
    }

    // Reads the questions in flight before its first await, so it never sees the map change under it.
    public Task WhenAnswered() => Ended(_asking.Values.Select(a => a.Answer).ToList());

    public Task<UnsettledResidency> GetUnsettled() => Task.FromResult(Unsettled());

    private UnsettledResidency Unsettled() =>
        new(_owedDepartures.Values.Sum(users => users.Count), _unanswered.Values.Sum(users => users.Count));

    // The users whose new block answered stay there and leave the old one, as on success: rolled back, they would be in
    // two blocks until a retry came, and a newer fix without one would leave them in the new block for good, where a
    // case could alert them at a place they had left. The failed blocks' users are rolled back, and the blocks asked.
    private async Task KeepWhatBlocksTookAsync(Dictionary<long, Move> moves, List<(long Block, List<ResidentFix> Fixes)> byBlock, Task<Guid>?[] upserts)
    {
        await Ended(upserts.OfType<Task>());
        var failedBlocks = new HashSet<long>();
        for (var i = 0; i < upserts.Length; i++)
            if (upserts[i] is not { IsCompletedSuccessfully: true }) failedBlocks.Add(byBlock[i].Block);
        foreach (var (userId, move) in moves)
        {
            if (!failedBlocks.Contains(move.Block)) continue;
            _users.Set(userId, move.Previous);
            Add(_unanswered, move.Block, userId);
            if (_asking.TryGetValue(move.Block, out var question)) question.Users.Remove(userId);
        }

        logger.LogWarning("Directory shard {Shard}: {Failed} of {Blocks} blocks failed to answer a report; their users are rolled back for the retry", this.GetPrimaryKeyLong(), failedBlocks.Count, byBlock.Count);
        Ask();
        await DepartAsync(Departures(moves, failedBlocks));
    }

    // Removals from the blocks users left. One that fails is owed rather than left to the gateway: its retry finds the
    // user already in their new block, so it has nothing to leave.
    private async Task DepartAsync(Dictionary<long, List<long>> departures)
    {
        var blocks = departures.Keys.ToArray();
        var removals = blocks.Select(b => Cell(b).Remove(departures[b])).ToArray();
        await Ended(removals);
        var owed = 0;
        for (var i = 0; i < removals.Length; i++)
        {
            if (removals[i].IsCompletedSuccessfully) continue;
            foreach (var userId in departures[blocks[i]]) Add(_owedDepartures, blocks[i], userId);
            owed++;
        }

        if (owed > 0) logger.LogWarning(removals.FirstOrDefault(r => r.IsFaulted)?.Exception, "Directory shard {Shard}: removals from {Owed} blocks failed; owed till they are made", this.GetPrimaryKeyLong(), owed);
        KeepSettling();
    }

    // The answers that came, the questions not yet asked, and the removals owed, for users still away from that block
    // (one who came back since is its resident again) and not still unanswered there (its answer decides).
    private async Task SettleAsync()
    {
        if (IsSettled) return;
        var departures = new Dictionary<long, List<long>>();
        TakeAnswers(departures);
        Ask();
        foreach (var (block, users) in _owedDepartures)
            foreach (var userId in users)
                if (_users[userId].Block != block && !IsUnanswered(block, userId)) Add(departures, block, userId);
        _owedDepartures.Clear();
        await DepartAsync(departures);
    }

    private void Ask()
    {
        foreach (var (block, users) in _unanswered)
        {
            if (_asking.ContainsKey(block)) continue;
            _asking[block] = (users.ToHashSet(), Cell(block).Held(users.ToList()));
        }
    }

    // A held fix newer than the directory's stands: the user is in that block, and leaves the one the directory had. A
    // held fix no newer leaves the block. Users erased or sent there again since the question are passed over.
    private void TakeAnswers(Dictionary<long, List<long>> departures)
    {
        foreach (var (block, (asked, answer)) in _asking.Where(a => a.Value.Answer.IsCompleted).ToList())
        {
            _asking.Remove(block);
            if (answer.IsFaulted) logger.LogWarning(answer.Exception, "Directory shard {Shard}: block {Block} could not say which users it holds; asked again", this.GetPrimaryKeyLong(), block);
            if (!answer.IsCompletedSuccessfully || !_unanswered.TryGetValue(block, out var unanswered)) continue;
            foreach (var (userId, heldMs) in answer.Result)
            {
                if (!asked.Contains(userId) || !unanswered.Contains(userId)) continue;
                var entry = _users[userId];
                if (entry.Block == block)
                {
                    if (heldMs > entry.FixMs) _users.Set(userId, entry with { FixMs = heldMs });
                }
                else if (heldMs > entry.FixMs)
                {
                    _users.Set(userId, entry with { Block = block, FixMs = heldMs });
                    // Unless the block they leave has yet to answer for them too: it may hold a newer fix still.
                    if (entry.Block != 0 && !IsUnanswered(entry.Block, userId)) Add(departures, entry.Block, userId);
                }
                else
                {
                    Add(departures, block, userId);
                }
            }

            // Those asked are settled; users sent there after the question was asked wait for the next one.
            unanswered.ExceptWith(asked);
            if (unanswered.Count == 0) _unanswered.Remove(block);
        }
    }

    private bool IsSettled => _owedDepartures.Count == 0 && _unanswered.Count == 0 && _asking.Count == 0;

    private bool IsUnanswered(long block, long userId) => _unanswered.TryGetValue(block, out var users) && users.Contains(userId);

    // Settled every DispatchRetryDelay while anything is left, so a quiet shard does not keep it.
    private void KeepSettling()
    {
        var pending = _owedDepartures.Count > 0 || _unanswered.Count > 0;
        if (pending && _settling is null) _settling = this.RegisterGrainTimer(_ => SettleAsync(), _retryDelay, _retryDelay);
        else if (!pending && _settling is not null)
        {
            _settling.Dispose();
            _settling = null;
        }
    }

    // The blocks that may still hold a user who left them or never answered for them: an opt-out or erasure goes there too.
    private IEnumerable<long> UnsettledBlocksOf(long userId) =>
        _owedDepartures.Where(o => o.Value.Contains(userId)).Select(o => o.Key)
            .Union(_unanswered.Where(u => u.Value.Contains(userId)).Select(u => u.Key));

    private void ForgetUnsettled(long userId)
    {
        foreach (var pending in new[] { _owedDepartures, _unanswered })
            foreach (var (block, users) in pending.ToList())
                if (users.Remove(userId) && users.Count == 0) pending.Remove(block);
        foreach (var question in _asking.Values) question.Users.Remove(userId);
        KeepSettling();
    }

    private static async Task Ended(IEnumerable<Task> calls)
    {
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            // Each call's outcome is read from its task.
        }
    }

    private static void Add<T>(Dictionary<long, T> byBlock, long block, long userId) where T : ICollection<long>, new()
    {
        ref var users = ref CollectionsMarshal.GetValueRefOrAddDefault(byBlock, block, out var exists);
        if (!exists) users = new T();
        users!.Add(userId);
    }
}
