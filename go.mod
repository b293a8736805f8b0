module github.com/sparkls/sparkls

go 1.26.8
