module example.com/gohost-app

go 1.19
