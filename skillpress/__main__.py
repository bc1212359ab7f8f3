from skillpress.cli import main

main()
