"outside the project root"
