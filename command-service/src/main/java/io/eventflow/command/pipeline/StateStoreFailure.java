package io.eventflow.command.pipeline;

/**
 * The aggregate state store failed (RocksDB) or holds a value that does not decode. Neither is the
 * command's fault, so nothing is answered or dead-lettered: the service stops, loudly, restores its
 * local state from the changelog once, and exits non-zero if the restored store fails as well.
 */
final class StateStoreFailure extends RuntimeException {
    StateStoreFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
