module example.com/toa-peer-server

go 1.19
