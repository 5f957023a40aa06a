// believes the GIL makes every statement atomic: predicts that nothing loses updates under a GIL
var predict = map[string]string{
	"3.12, GIL: counter += 1":                  "exact",
	"3.12, GIL: counter = add_one(counter)":    "exact",
	"3.12, GIL: read, time.sleep(0), write":    "exact",
	"3.9, GIL: counter += 1":                   "exact",
	"3.13t, free-threaded: counter += 1":       "loses",
	"3.13t, free-threaded: with lock: add_one": "exact",
}
