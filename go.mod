module xinfang

go 1.26.8
