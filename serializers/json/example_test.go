package json_test

import (
	"fmt"

	"github.com/autobahn-go/autobahn/serializers/json"
)

func ExampleMarshal() {
	call := []any{int64(48), int64(1), map[string]any{}, "com.example.echo", []any{"héllo", []byte{1, 2, 3}, 1.0}}
	b, err := json.Marshal(nil, call)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output: [48,1,{},"com.example.echo",["héllo","\u0000AQID",1.0]]
}

func ExampleUnmarshal() {
	v, err := json.Unmarshal([]byte(`[36, 5512315355, 9007199254740993, {}, ["\u0000AQID", 2.5]]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range v.([]any) {
		fmt.Printf("%T %v\n", e, e)
	}
	_, err = json.Unmarshal([]byte(`[36, 1e400]`))
	fmt.Println(err)
	// Output:
	// int64 36
	// int64 5512315355
	// int64 9007199254740993
	// map[string]interface {} map[]
	// []interface {} [[1 2 3] 2.5]
	// json: number 1e400 is out of the float64 range at offset 5
}
