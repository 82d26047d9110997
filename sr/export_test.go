package sr

// EncodeWithLibrary is encodeWithLibrary for the package's external
// tests.
var EncodeWithLibrary = encodeWithLibrary
