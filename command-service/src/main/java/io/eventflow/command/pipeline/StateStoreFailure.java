package io.eventflow.command.pipeline;

/**
 * The aggregate state store failed (RocksDB) or holds a value that does not decode. Neither is the
 * command's fault, so nothing is answered or dead-lettered: the service stops, loudly, and an
 * operator restores the store (e.g. deletes the local state so it is rebuilt from the changelog).
 */
final class StateStoreFailure extends RuntimeException {
    StateStoreFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
