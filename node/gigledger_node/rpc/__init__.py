"""Ethereum JSON-RPC over HTTP and WebSocket, one module per namespace."""
