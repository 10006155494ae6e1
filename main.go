// Command segue is a terminal music client and the origin server it streams
// from. See README.md.
package main

import (
	"os"

	"segue/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
