package main

// The IANA time zone database is built in, so --timezone Europe/Berlin
// works in a container image without the tzdata package.
import _ "time/tzdata"
