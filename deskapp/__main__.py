from deskapp.launch import main

main()
