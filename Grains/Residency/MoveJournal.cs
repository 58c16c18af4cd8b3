using System.Buffers.Binary;
using Dapper;

namespace Alerts.Grains;

/// <summary>
/// The moves a directory shard has begun and may not have finished, written before its cell calls. A shard whose silo
/// dies between adding a user to the new block and removing them from the old leaves the old block (alive on another
/// silo) holding them, and nothing else remembers which block that is: the retry finds the user already where they
/// went. The shard's next activation reads these moves back and settles them. One row per report part with moves
/// (first positions and moves within a block are not journaled); a row goes once its positions are written and
/// nothing is left to settle. Off with one silo: a shard then dies only together with every block's memory.
/// </summary>
public sealed class MoveJournal(StoreEngine engine, bool enabled)
{
    private const int BytesPerMove = 3 * sizeof(long);

    /// <summary>Whether shards journal their moves (a cluster) or not (one silo).</summary>
    public bool Enabled => enabled;

    /// <summary>Writes a report's moves as row <paramref name="seq"/> of the shard, deleting the rows <paramref name="done"/> in the same transaction.</summary>
    public async Task BeginAsync(int shard, long seq, IReadOnlyCollection<long> done, IReadOnlyList<JournaledMove> moves)
    {
        if (!enabled) return;
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (done.Count > 0) await DeleteAsync(connection, transaction, shard, done);
        await connection.ExecuteAsync("INSERT INTO directory_moves (shard, seq, moves) VALUES (@shard, @seq, @moves)", new { shard, seq, moves = Encode(moves) }, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>Every row of the shard, oldest first.</summary>
    public async Task<List<(long Seq, List<JournaledMove> Moves)>> ReadAsync(int shard)
    {
        if (!enabled) return [];
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<(long Seq, string Moves)>("SELECT seq, moves FROM directory_moves WHERE shard = @shard ORDER BY seq", new { shard });
        return rows.Select(r => (r.Seq, Decode(r.Moves))).ToList();
    }

    /// <summary>Deletes rows of the shard.</summary>
    public async Task DeleteAsync(int shard, IReadOnlyCollection<long> seqs)
    {
        if (!enabled || seqs.Count == 0) return;
        await using var connection = await engine.OpenAsync();
        await DeleteAsync(connection, null, shard, seqs);
    }

    /// <summary>Takes a user's moves out of the shard's rows (an erasure), deleting rows left empty.</summary>
    public async Task ForgetUserAsync(int shard, long userId)
    {
        if (!enabled) return;
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var rows = await connection.QueryAsync<(long Seq, string Moves)>("SELECT seq, moves FROM directory_moves WHERE shard = @shard", new { shard }, transaction);
        foreach (var (seq, encoded) in rows)
        {
            var moves = Decode(encoded);
            var kept = moves.Where(m => m.UserId != userId).ToList();
            if (kept.Count == moves.Count) continue;
            if (kept.Count == 0) await DeleteAsync(connection, transaction, shard, [seq]);
            else await connection.ExecuteAsync("UPDATE directory_moves SET moves = @moves WHERE shard = @shard AND seq = @seq", new { shard, seq, moves = Encode(kept) }, transaction);
        }

        await transaction.CommitAsync();
    }

    private Task DeleteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, int shard, IReadOnlyCollection<long> seqs) =>
        connection.ExecuteAsync($"DELETE FROM directory_moves WHERE shard = @shard AND {engine.AnyOf("seq", "seqs")}", new { shard, seqs = seqs.ToArray() }, transaction);

    // Three little-endian longs a move, base64: compact, and one text column on both engines.
    private static string Encode(IReadOnlyList<JournaledMove> moves)
    {
        var bytes = new byte[moves.Count * BytesPerMove];
        for (var i = 0; i < moves.Count; i++)
        {
            var span = bytes.AsSpan(i * BytesPerMove, BytesPerMove);
            BinaryPrimitives.WriteInt64LittleEndian(span, moves[i].UserId);
            BinaryPrimitives.WriteInt64LittleEndian(span[8..], moves[i].From);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], moves[i].To);
        }

        return Convert.ToBase64String(bytes);
    }

    private static List<JournaledMove> Decode(string encoded)
    {
        var bytes = Convert.FromBase64String(encoded);
        var moves = new List<JournaledMove>(bytes.Length / BytesPerMove);
        for (var offset = 0; offset + BytesPerMove <= bytes.Length; offset += BytesPerMove)
        {
            var span = bytes.AsSpan(offset, BytesPerMove);
            moves.Add(new JournaledMove(BinaryPrimitives.ReadInt64LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[8..]), BinaryPrimitives.ReadInt64LittleEndian(span[16..])));
        }

        return moves;
    }
}
