namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>What the poll loop does next for a client; <see cref="PollClient.NextAction"/> picks one from its state.</summary>
internal enum PollAction : byte
{
    /// <summary>Nothing to do until the socket or the application has news.</summary>
    None,

    /// <summary>Read what the socket has (plaintext for the processor, or ciphertext for the TLS engine).</summary>
    ReadSocket,

    /// <summary>Take decrypted application data from the TLS engine.</summary>
    Decrypt,

    /// <summary>Offer the octets read to the processor.</summary>
    Receive,

    /// <summary>Hand the processor's output, batched, to the TLS engine.</summary>
    Encrypt,

    /// <summary>Write the pending octets (ciphertext, or the processor's output) until the socket would block.</summary>
    WriteSocket,

    /// <summary>The protocol is done: send TLS close_notify.</summary>
    CloseNotify,

    /// <summary>Close the socket.</summary>
    Close,
}
