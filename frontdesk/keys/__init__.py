"""Database keys: rotation (SQLCipher rekey) and escrow (export and import, sealed with a passphrase)."""
