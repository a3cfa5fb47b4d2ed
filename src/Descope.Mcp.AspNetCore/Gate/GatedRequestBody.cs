using System.Buffers;
using System.IO.Pipelines;

namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>
/// A request body the gate reads before the MCP server does. A body that arrives within <see cref="InPlaceLimit"/> is
/// examined in the request's own pipe and left unconsumed, so the server reads the very bytes the gate judged without a
/// copy; a longer one is consumed into a pooled buffer (a pipe holds only so much unconsumed data before the connection
/// stops reading) and handed to the server as a stream over that buffer. Either way at most the gate's limit is read.
/// </summary>
internal sealed class GatedRequestBody
{
    /// <summary>
    /// The most the gate leaves unconsumed in the pipe: far below what Kestrel buffers per request (1 MiB on HTTP/1.1,
    /// a 768 KiB window on HTTP/2), far above an ordinary MCP request.
    /// </summary>
    internal const int InPlaceLimit = 64 * 1024;

    private const int InitialCopySize = 16 * 1024;

    private readonly PipeReader _reader;
    private ReadOnlySequence<byte> _examined;
    private byte[]? _pooled;
    private bool _released;

    private GatedRequestBody(PipeReader reader, ReadOnlySequence<byte> examined, byte[]? pooled, int length, bool tooLarge)
    {
        _reader = reader;
        _examined = examined;
        _pooled = pooled;
        TooLarge = tooLarge;
        Memory = pooled is not null ? pooled.AsMemory(0, length) : examined.First;
        InPlace = pooled is null || !examined.IsEmpty;
    }

    /// <summary>Whether the body went past the limit; then <see cref="Memory"/> holds only its start.</summary>
    public bool TooLarge { get; }

    /// <summary>The whole body, contiguous: a segment of the pipe, or a pooled copy.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Whether the body is still unconsumed in the request's pipe (and <see cref="Memory"/> may be a copy for parsing).</summary>
    private bool InPlace { get; }

    /// <summary>Reads the body of a request whose <paramref name="reader"/> is the request's body pipe, up to <paramref name="limit"/> bytes.</summary>
    public static async Task<GatedRequestBody> ReadAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffered = result.Buffer;
            if (buffered.Length > limit)
            {
                return new GatedRequestBody(reader, buffered, pooled: null, length: 0, tooLarge: true);
            }

            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffered.Start, buffered.End);
                throw new OperationCanceledException("The request body read was canceled.");
            }

            if (result.IsCompleted)
            {
                if (buffered.IsSingleSegment)
                {
                    return new GatedRequestBody(reader, buffered, pooled: null, length: 0, tooLarge: false);
                }

                // Still unconsumed in the pipe; the parser needs one span, so it gets a pooled copy.
                var copy = ArrayPool<byte>.Shared.Rent((int)buffered.Length);
                buffered.CopyTo(copy);
                return new GatedRequestBody(reader, buffered, copy, (int)buffered.Length, tooLarge: false);
            }

            if (buffered.Length >= Math.Min(InPlaceLimit, limit))
            {
                return await ConsumeAsync(reader, buffered, limit, cancellationToken);
            }

            // Nothing consumed, everything examined: the next read waits for more of the body.
            reader.AdvanceTo(buffered.Start, buffered.End);
        }
    }

    /// <summary>
    /// Hands the body back for the MCP server to read, and says which stream it must read it from, if not the request's
    /// own. A body left in place stays in the request's pipe, where the server (which reads the request's
    /// <c>BodyReader</c>) finds it. Where middleware replaced the request's stream, the pipe the gate read is an adapter
    /// that has already drained part of that stream: the SDK still finds the body in the adapter, and anything that reads
    /// <c>Request.Body</c> instead gets a stream over the same adapter, so it does too. A copied body is read from the
    /// pooled copy. A returned stream must not outlive <see cref="Release"/>.
    /// </summary>
    public Stream? OpenForServer()
    {
        if (InPlace)
        {
            ReleasePipe();
            return IsStreamAdapter(_reader) ? _reader.AsStream(leaveOpen: true) : null;
        }

        return new MemoryStream(_pooled!, 0, Memory.Length, writable: false);
    }

    /// <summary>
    /// Whether the pipe is System.IO.Pipelines' adapter over a stream, which ASP.NET Core puts behind <c>BodyReader</c>
    /// when middleware replaced <c>Request.Body</c>; the server's own pipe comes from the server.
    /// </summary>
    private static bool IsStreamAdapter(PipeReader reader) => reader.GetType().Assembly == typeof(PipeReader).Assembly;

    /// <summary>Leaves the pipe as the gate found it (nothing consumed) and returns the pooled buffer.</summary>
    public void Release()
    {
        if (InPlace)
        {
            ReleasePipe();
        }

        if (_pooled is { } pooled)
        {
            _pooled = null;
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    private void ReleasePipe()
    {
        if (!_released)
        {
            _released = true;
            _reader.AdvanceTo(_examined.Start, _examined.End);
            _examined = default;
        }
    }

    /// <summary>Consumes a long body into a pooled buffer that doubles up to <paramref name="limit"/>.</summary>
    private static async Task<GatedRequestBody> ConsumeAsync(PipeReader reader, ReadOnlySequence<byte> buffered, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(buffered.Length, Math.Min(InitialCopySize, limit)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length + buffered.Length > limit)
                {
                    reader.AdvanceTo(buffered.End);
                    return new GatedRequestBody(reader, default, buffer, length, tooLarge: true);
                }

                if (length + buffered.Length > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max((long)buffer.Length * 2, length + buffered.Length), limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                buffered.CopyTo(buffer.AsSpan(length));
                length += (int)buffered.Length;
                reader.AdvanceTo(buffered.End);

                var result = await reader.ReadAsync(cancellationToken);
                buffered = result.Buffer;
                if (result.IsCanceled)
                {
                    reader.AdvanceTo(buffered.Start, buffered.End);
                    throw new OperationCanceledException("The request body read was canceled.");
                }

                if (result.IsCompleted && buffered.IsEmpty)
                {
                    return new GatedRequestBody(reader, default, buffer, length, tooLarge: false);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
