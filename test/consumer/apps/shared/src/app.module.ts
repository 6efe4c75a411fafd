// Replaced by the README's Quick start block when the consumer test copies the app.
